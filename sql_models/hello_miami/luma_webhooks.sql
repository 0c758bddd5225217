-- Received webhooks as they are.
select migration.stable_id('hello_miami', 'luma_webhooks', mongo_id) as id, type, payload, signature, received_at
from staging.stg_mongo__luma_webhooks

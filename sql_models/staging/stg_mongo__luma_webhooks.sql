-- Hello Miami's received Luma webhooks, payload kept whole (as plain JSON).
-- index: mongo_id
with raw_luma_webhooks as (
    select _id, document from raw_mongo.luma_webhooks
)
select
    lower(_id) as mongo_id,
    coalesce(staging.txt(document->'type'), '') as type,
    coalesce(staging.plain(document->'payload'), 'null'::jsonb) as payload,
    staging.txt(document->'signature') as signature,
    staging.utc(coalesce(staging.ts(document->'receivedAt'), staging.ts(document->'createdAt'), staging.oid_time(_id)))
        as received_at
from raw_luma_webhooks

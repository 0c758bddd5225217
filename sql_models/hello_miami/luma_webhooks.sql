-- Received webhooks as they are. Rows already live (SPEC §4): every live webhook is kept with its
-- id (one an earlier cutover moved holds the id the source record is given again, so it is that
-- row), each field by the table's rule (staging.live_wins: the source wins unless configured otherwise).
with source as (
    select migration.stable_id('hello_miami', 'luma_webhooks', mongo_id) as id, type, payload, signature, received_at
    from staging.stg_mongo__luma_webhooks
),
live as (
    select * from staging.stg_live_hello_miami__luma_webhooks
),
rule as (
    select staging.live_wins('hello_miami.luma_webhooks') as live_wins
)
select
    coalesce(l.id, s.id) as id,
    staging.field_rule(r.live_wins, l.type, s.type) as type,
    staging.field_rule(r.live_wins, l.payload, s.payload) as payload,
    staging.field_rule(r.live_wins, l.signature, s.signature) as signature,
    staging.field_rule(r.live_wins, l.received_at, s.received_at) as received_at
from source as s
full join live as l on l.id = s.id
cross join rule as r

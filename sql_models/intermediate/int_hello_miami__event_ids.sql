-- The target id of each luma_event_id any side holds (MongoDB, Luma, the live table). Rows already
-- live (SPEC §4): an event the live table holds keeps the live row's id, so every reference to it
-- (demo slots, the lineage) points at the row the application uses; any other event's id is derived
-- from its luma_event_id.
-- index: luma_event_id
with keys as (
    select luma_event_id from staging.stg_mongo__events where luma_event_id is not null
    union
    select api_id from staging.stg_luma__events where api_id is not null
    union
    select luma_event_id from staging.stg_live_hello_miami__events
),
live as (
    select distinct on (luma_event_id) luma_event_id, id
    from staging.stg_live_hello_miami__events
    order by luma_event_id, created_at, id
)
select keys.luma_event_id, live.id as live_id,
       coalesce(live.id, migration.stable_id('hello_miami', 'events', keys.luma_event_id)) as id
from keys
left join live on live.luma_event_id = keys.luma_event_id

-- One row per MongoDB event: without lumaEventId quarantined; among documents sharing one, the
-- earliest (createdAt, then _id) keeps it and later ones merge into it.
-- index: mongo_id
-- index: luma_event_id
with events as (
    select * from staging.stg_mongo__events
),
kept as (
    select mongo_id,
           first_value(mongo_id) over (partition by luma_event_id order by created_at, mongo_id) as kept_mongo_id
    from events
    where luma_event_id is not null
)
select
    events.*,
    kept.kept_mongo_id,
    case when events.luma_event_id is null then 'missing lumaEventId' end as quarantine_reason,
    case when events.luma_event_id is null then 'quarantined'
         when kept.kept_mongo_id = events.mongo_id then 'migrated'
         else 'merged' end as outcome,
    ids.id as target_id
from events
left join kept on kept.mongo_id = events.mongo_id
left join intermediate.int_hello_miami__event_ids as ids on ids.luma_event_id = events.luma_event_id

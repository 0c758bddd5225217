-- One row per MongoDB demo slot: member re-pointed; eventId (a MongoDB event) resolved through
-- that event's lumaEventId to the target event.
-- index: mongo_id
with slots as (
    select * from staging.stg_mongo__demo_slots
),
checked as (
    select
        slots.*,
        members.target_id as member_id,
        case when events.outcome <> 'quarantined' then events.target_id end as event_id,
        case when slots.member_mongo_id is null or members.mongo_id is null then 'memberId not found'
             when members.outcome = 'quarantined' then 'memberId not migrated'
             when slots.event_mongo_id is null or events.mongo_id is null then 'eventId not found'
             when events.outcome = 'quarantined' then 'eventId not migrated' end as quarantine_reason
    from slots
    left join intermediate.int_hello_miami__members as members on members.mongo_id = slots.member_mongo_id
    left join intermediate.int_hello_miami__mongo_events as events on events.mongo_id = slots.event_mongo_id
)
select
    checked.*,
    case when quarantine_reason is null then 'migrated' else 'quarantined' end as outcome,
    case when quarantine_reason is null then migration.stable_id('hello_miami', 'demo_slots', mongo_id) end as target_id
from checked

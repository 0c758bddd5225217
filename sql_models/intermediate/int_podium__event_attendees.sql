-- One row per element of events.attendees (source table `events.attendees`, source id
-- `<event id>:<user id>`): quarantined as a link when its event or user cannot be referenced; after
-- merged users are re-pointed, the first element of an (event, user) pair is kept, others merge.
-- index: source_id
with elements as (
    select distinct on (events.airtable_id, attendee.user_airtable_id)
        events.airtable_id as event_airtable_id,
        attendee.user_airtable_id,
        attendee.position,
        events.outcome as event_outcome,
        events.target_id as event_id
    from intermediate.int_podium__events as events
    cross join lateral jsonb_array_elements_text(events.attendees) with ordinality as attendee(user_airtable_id, position)
    order by events.airtable_id, attendee.user_airtable_id, attendee.position
),
checked as (
    select
        elements.event_airtable_id || ':' || elements.user_airtable_id as source_id,
        elements.*,
        users.target_id as user_id,
        case when elements.event_outcome = 'quarantined' then 'event not migrated'
             when users.airtable_id is null then 'attendee not found'
             when users.outcome = 'quarantined' then 'attendee not migrated' end as quarantine_reason
    from elements
    left join intermediate.int_podium__users as users on users.airtable_id = elements.user_airtable_id
),
kept as (
    select source_id,
           first_value(source_id) over (partition by event_id, user_id order by position, source_id) as kept_source_id
    from checked
    where quarantine_reason is null
)
select
    checked.*,
    kept.kept_source_id,
    case when checked.quarantine_reason is not null then 'quarantined'
         when kept.kept_source_id = checked.source_id then 'migrated'
         else 'merged' end as outcome,
    coalesce(live.id, migration.stable_id('podium', 'event_attendees', kept.kept_source_id)) as target_id
from checked
left join kept on kept.source_id = checked.source_id
-- the live row of the same (event, user), the table's unique key, keeps its id (SPEC §4 "Rows already live")
left join staging.stg_live_podium__event_attendees as live
       on live.event_id = checked.event_id and live.user_id = checked.user_id and kept.source_id is not null

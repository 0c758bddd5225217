-- Attendance sources, one row per source record: MongoDB attendance documents (member re-pointed,
-- unknown members quarantined) and Luma guests (attendance when matched to a member and approved
-- or checked in). Rows sharing (member, luma_event_id) form one target row; its id is the earliest
-- MongoDB document's, else the first guest's; a live row of the same (member, luma_event_id) gives
-- its id instead (SPEC §4 "Rows already live": the table's unique key is the natural key), so the
-- live row and the sources are one row.
-- index: source_id
with mongo_rows as (
    select
        'mongo' as source, 'attendance' as source_table, a.mongo_id as source_id,
        members.target_id as member_id, a.luma_event_id, a.status, a.checked_in_at, a.created_at,
        null::timestamp as registered_at,
        case when a.member_mongo_id is null or members.mongo_id is null then 'memberId not found'
             when members.outcome = 'quarantined' then 'memberId not migrated'
             when a.luma_event_id is null then 'missing lumaEventId' end as quarantine_reason,
        null::text as merge_rule,
        0 as source_rank
    from staging.stg_mongo__attendance as a
    left join intermediate.int_hello_miami__members as members on members.mongo_id = a.member_mongo_id
),
guest_rows as (
    select
        'luma', 'guests', g.event_api_id || ':' || g.api_id,
        g.member_id, g.event_api_id, g.attendance_status, g.checked_in_at, null::timestamp,
        g.registered_at,
        null::text,
        case when g.attendance_status is null then 'guest not attending'
             when g.member_id is null then 'guest counted in event stats' end,
        1
    from intermediate.int_hello_miami__guests as g
),
sources as (
    select * from mongo_rows union all select * from guest_rows
),
attending as (
    select sources.*,
           first_value(source || ':' || source_id) over (
               partition by member_id, luma_event_id order by source_rank, created_at, registered_at, source_id
           ) as kept_key,
           first_value(source_id) over (
               partition by member_id, luma_event_id order by source_rank, created_at, registered_at, source_id
           ) as kept_source_id
    from sources
    where quarantine_reason is null and merge_rule is null
)
select
    sources.*,
    attending.kept_source_id,
    case when sources.quarantine_reason is not null then 'quarantined'
         when sources.merge_rule is not null then 'merged'
         when sources.source = 'luma' then 'migrated'
         when attending.kept_key = 'mongo:' || sources.source_id then 'migrated'
         else 'merged' end as outcome,
    case when sources.merge_rule is not null
         then ids.id
         when attending.kept_source_id is not null
         then coalesce(live.id, migration.stable_id('hello_miami', 'attendance', attending.kept_source_id)) end as target_id
from sources
left join attending on attending.source = sources.source and attending.source_id = sources.source_id
left join staging.stg_live_hello_miami__attendance as live
       on live.member_id = attending.member_id and live.luma_event_id = attending.luma_event_id
left join intermediate.int_hello_miami__event_ids as ids on ids.luma_event_id = sources.luma_event_id

-- One target event per luma_event_id in (kept MongoDB events ∪ Luma events). Luma is the truth for
-- the fields it returns; a MongoDB event Luma does not return stays as it is. Stats come from the
-- Luma guest list when Luma has the event (migration.luma_stats, the sync's rule too).
-- last_synced_at is the snapshot's capture time.
-- index: luma_event_id
with mongo_events as (
    select * from intermediate.int_hello_miami__mongo_events where outcome = 'migrated'
),
luma_events as (
    select * from staging.stg_luma__events where api_id is not null
),
guest_stats as (
    select l.api_id as event_api_id, migration.luma_stats(g.attendance_status) as stats
    from luma_events as l
    left join staging.stg_luma__guests as g on g.event_api_id = l.api_id
    group by l.api_id
),
capture as (
    select captured_at at time zone 'UTC' as captured_at
    from migration.runs
    where captured_at is not null
    order by (run_id = current_setting('cutover.run_id')) desc, started_at desc
    limit 1
)
select
    ids.id,
    coalesce(l.api_id, m.luma_event_id) as luma_event_id,
    l.api_id is not null as in_luma,
    m.mongo_id is not null as in_mongo,
    coalesce(l.name, m.name, '') as name,
    coalesce(l.description, m.description) as description,
    coalesce(l.cover_url, m.cover_url) as cover_url,
    coalesce(l.url, m.url, '') as url,
    coalesce(l.start_at, m.start_at, m.created_at, l.created_at) as start_at,
    coalesce(l.end_at, m.end_at) as end_at,
    coalesce(l.timezone, m.timezone, '') as timezone,
    coalesce(l.location, m.location) as location,
    case when l.api_id is not null
         then s.stats
         else jsonb_build_object('registered', coalesce(m.stats_registered, 0), 'checkedIn', coalesce(m.stats_checked_in, 0))
    end as stats,
    coalesce(l.is_canceled, m.is_canceled, false) as is_canceled,
    coalesce((select captured_at from capture), l.updated_at, m.last_synced_at, l.start_at, m.created_at) as last_synced_at,
    coalesce(m.created_at, l.created_at, l.start_at) as created_at,
    coalesce(m.updated_at, l.updated_at, l.created_at, l.start_at) as updated_at,
    m.mongo_id,
    m.name as mongo_name, m.description as mongo_description, m.cover_url as mongo_cover_url, m.url as mongo_url,
    m.start_at as mongo_start_at, m.end_at as mongo_end_at, m.timezone as mongo_timezone,
    m.location as mongo_location, m.is_canceled as mongo_is_canceled,
    l.name as luma_name, l.description as luma_description, l.cover_url as luma_cover_url, l.url as luma_url,
    l.start_at as luma_start_at, l.end_at as luma_end_at, l.timezone as luma_timezone,
    l.location as luma_location, l.is_canceled as luma_is_canceled
from mongo_events as m
full join luma_events as l on l.api_id = m.luma_event_id
left join guest_stats as s on s.event_api_id = l.api_id
left join intermediate.int_hello_miami__event_ids as ids on ids.luma_event_id = coalesce(l.api_id, m.luma_event_id)

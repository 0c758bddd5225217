-- Rows already live (SPEC §4): field by field, where a live row and the source record matched to
-- it both hold a value and the values differ (staging.live_differences). left = the live value,
-- right = the source's as read (jsonb), key = the live row's id.
with pairs as (
    select 'users' as source_table, l.id::text as key, to_jsonb(l) as live_row, to_jsonb(s) as source_row
    from intermediate.int_podium__users as s
    join staging.stg_live_podium__users as l on l.id = s.target_id
    where s.outcome = 'migrated'
    union all
    select 'events', l.id::text, to_jsonb(l), to_jsonb(s)
    from intermediate.int_podium__events as s
    join staging.stg_live_podium__events as l on l.id = s.target_id
    where s.outcome = 'migrated'
    union all
    select 'projects', l.id::text, to_jsonb(l), to_jsonb(s)
    from intermediate.int_podium__projects as s
    join staging.stg_live_podium__projects as l on l.id = s.target_id
    where s.outcome = 'migrated'
    union all
    select 'votes', l.id::text, to_jsonb(l), to_jsonb(s)
    from intermediate.int_podium__votes as s
    join staging.stg_live_podium__votes as l on l.id = s.target_id
    where s.outcome = 'migrated'
    union all
    select 'referrals', l.id::text, to_jsonb(l), to_jsonb(s)
    from intermediate.int_podium__referrals as s
    join staging.stg_live_podium__referrals as l on l.id = s.target_id
    where s.outcome = 'migrated'
    union all
    select 'event_attendees', l.id::text, to_jsonb(l), to_jsonb(s)
    from intermediate.int_podium__event_attendees as s
    join staging.stg_live_podium__event_attendees as l on l.id = s.target_id
    where s.outcome = 'migrated'
    union all
    select 'project_collaborators', l.id::text, to_jsonb(l), to_jsonb(s)
    from intermediate.int_podium__project_collaborators as s
    join staging.stg_live_podium__project_collaborators as l on l.id = s.target_id
    where s.outcome = 'migrated'
)
select pairs.source_table, pairs.key, d.field, d.left_value, d.right_value
from pairs
cross join lateral staging.live_differences(pairs.live_row, pairs.source_row) as d

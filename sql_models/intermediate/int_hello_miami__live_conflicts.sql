-- Rows already live (SPEC §4): field by field, where a live row and the source record matched to
-- it both hold a value and the values differ (staging.live_differences). left = the live value,
-- right = the source's (jsonb, as int_hello_miami__conflicts reads them); key = the live row's id
-- (member_badges: member_id:badge_id).
with pairs as (
    select 'profiles' as source_table, l.id::text as key, to_jsonb(l) as live_row,
           to_jsonb(s) - 'clerk_user_id' || jsonb_build_object('clerk_user_id', s.stored_clerk_user_id) as source_row
    from intermediate.int_hello_miami__profiles as s
    join staging.stg_live_hello_miami__profiles as l on l.id = s.live_id
    where s.outcome = 'migrated'
    union all
    select 'events', l.id::text, to_jsonb(l), to_jsonb(s)
    from intermediate.int_hello_miami__events as s
    join staging.stg_live_hello_miami__events as l on l.id = s.id
    union all
    select 'badges', l.id::text, to_jsonb(l), to_jsonb(s)
    from intermediate.int_hello_miami__badges as s
    join staging.stg_live_hello_miami__badges as l on l.id = s.target_id
    where s.outcome = 'migrated'
    union all
    select 'pending_users', l.id::text, to_jsonb(l), to_jsonb(s)
    from intermediate.int_hello_miami__pending_users as s
    join staging.stg_live_hello_miami__pending_users as l on l.id = s.target_id
    where s.outcome = 'migrated'
    union all
    select 'surveys', l.id::text, to_jsonb(l), to_jsonb(s)
    from intermediate.int_hello_miami__surveys as s
    join staging.stg_live_hello_miami__surveys as l on l.id = s.target_id
    where s.outcome = 'migrated'
    union all
    select 'projects', l.id::text, to_jsonb(l), to_jsonb(s)
    from intermediate.int_hello_miami__projects as s
    join staging.stg_live_hello_miami__projects as l on l.id = s.target_id
    where s.outcome = 'migrated'
    union all
    select 'member_badges', l.member_id || ':' || l.badge_id, to_jsonb(l), to_jsonb(s)
    from intermediate.int_hello_miami__member_badges as s
    join staging.stg_live_hello_miami__member_badges as l on l.member_id = s.member_id and l.badge_id = s.badge_id
    where s.outcome = 'migrated'
    union all
    select 'attendance', l.id::text, to_jsonb(l), to_jsonb(s)
    from intermediate.int_hello_miami__attendance_rows as s
    join staging.stg_live_hello_miami__attendance as l on l.id = s.id
    union all
    select 'survey_responses', l.id::text, to_jsonb(l), to_jsonb(s)
    from intermediate.int_hello_miami__survey_responses as s
    join staging.stg_live_hello_miami__survey_responses as l on l.id = s.target_id
    where s.outcome = 'migrated'
    union all
    select 'demo_slots', l.id::text, to_jsonb(l), to_jsonb(s)
    from intermediate.int_hello_miami__demo_slots as s
    join staging.stg_live_hello_miami__demo_slots as l on l.id = s.target_id
    where s.outcome = 'migrated'
    union all
    select 'luma_webhooks', l.id::text, to_jsonb(l), to_jsonb(s)
    from staging.stg_mongo__luma_webhooks as s
    join staging.stg_live_hello_miami__luma_webhooks as l on l.id = migration.stable_id('hello_miami', 'luma_webhooks', s.mongo_id)
)
select pairs.source_table, pairs.key, d.field, d.left_value, d.right_value
from pairs
cross join lateral staging.live_differences(pairs.live_row, pairs.source_row) as d

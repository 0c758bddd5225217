-- Rows already live (SPEC §4): field by field, where a live row and the source record matched to
-- it both hold a value and the values differ (whichever the table's rule stored). left = the live
-- value, right = the source's (jsonb, as int_hello_miami__conflicts reads them). Compared: the
-- fields both sides name, except the id and the bookkeeping timestamps, which differ by nature.
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
)
select pairs.source_table, pairs.key, f.key as field, f.value as left_value, pairs.source_row->f.key as right_value
from pairs
cross join jsonb_each(pairs.live_row) as f
where f.key not in ('id', 'email_key', 'created_at', 'updated_at', 'last_synced_at')
  and jsonb_typeof(f.value) <> 'null' and jsonb_typeof(pairs.source_row->f.key) <> 'null'
  and f.value <> pairs.source_row->f.key

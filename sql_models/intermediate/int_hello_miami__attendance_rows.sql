-- One row per (member, luma_event_id) from MongoDB attendance and matched Luma guests: checked-in
-- if either says so (a local check-in stands), the earliest known check-in time, created_at from
-- MongoDB else the guest's registration. The sources' side of the candidate (hello_miami/attendance
-- applies the live rows) and of its live_source conflicts.
-- index: id
with attending as (
    select * from intermediate.int_hello_miami__attendance where outcome in ('migrated', 'merged') and merge_rule is null
)
select
    target_id as id,
    member_id,
    luma_event_id,
    case when bool_or(status = 'checked-in' or checked_in_at is not null) then 'checked-in' else 'registered' end as status,
    min(checked_in_at) as checked_in_at,
    coalesce(min(created_at), min(registered_at), min(checked_in_at),
             (select captured_at at time zone 'UTC' from migration.runs where run_id = current_setting('cutover.run_id'))) as created_at
from attending
group by target_id, member_id, luma_event_id

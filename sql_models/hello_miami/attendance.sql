-- Attendance, one row per (member, luma_event_id) (int_hello_miami__attendance_rows). Rows already
-- live (SPEC §4): every live row is kept with its id; the sources' row of its (member, event) took
-- that id, so it is that row, each field by the table's rule (staging.live_wins: the source wins
-- unless configured otherwise).
with source as (
    select * from intermediate.int_hello_miami__attendance_rows
),
live as (
    select * from staging.stg_live_hello_miami__attendance
),
rule as (
    select staging.live_wins('hello_miami.attendance') as live_wins
)
select
    coalesce(l.id, s.id) as id,
    staging.field_rule(r.live_wins, l.member_id, s.member_id) as member_id,
    staging.field_rule(r.live_wins, l.luma_event_id, s.luma_event_id) as luma_event_id,
    staging.field_rule(r.live_wins, l.status, s.status) as status,
    staging.field_rule(r.live_wins, l.checked_in_at, s.checked_in_at) as checked_in_at,
    staging.field_rule(r.live_wins, l.created_at, s.created_at) as created_at
from source as s
full join live as l on l.id = s.id
cross join rule as r

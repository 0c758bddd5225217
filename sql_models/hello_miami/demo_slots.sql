-- Demo slots with event_id resolved through the MongoDB event's lumaEventId. Rows already live
-- (SPEC §4): every live slot is kept with its id (one an earlier cutover moved holds the id the
-- source record is given again, so it is that row), each field by the table's rule
-- (staging.live_wins: the source wins unless configured otherwise).
with source as (
    select * from intermediate.int_hello_miami__demo_slots where outcome = 'migrated'
),
live as (
    select * from staging.stg_live_hello_miami__demo_slots
),
rule as (
    select staging.live_wins('hello_miami.demo_slots') as live_wins
)
select
    coalesce(l.id, s.target_id) as id,
    staging.field_rule(r.live_wins, l.member_id, s.member_id) as member_id,
    staging.field_rule(r.live_wins, l.event_id, s.event_id) as event_id,
    staging.field_rule(r.live_wins, l.title, s.title) as title,
    staging.field_rule(r.live_wins, l.description, s.description) as description,
    staging.field_rule(r.live_wins, l.requested_time, s.requested_time) as requested_time,
    staging.field_rule(r.live_wins, l.duration_minutes, s.duration_minutes) as duration_minutes,
    staging.field_rule(r.live_wins, l.status, s.status) as status,
    staging.field_rule(r.live_wins, l.confirmed_by_organizer, s.confirmed_by_organizer) as confirmed_by_organizer,
    staging.field_rule(r.live_wins, l.created_at, s.created_at) as created_at,
    staging.field_rule(r.live_wins, l.updated_at, s.updated_at) as updated_at
from source as s
full join live as l on l.id = s.target_id
cross join rule as r

-- Pending users, one per email and per lumaAttendeeId. Rows already live (SPEC §4): every live
-- pending user is kept with its id; a MongoDB one of its email is that row, each field by the
-- table's rule (staging.live_wins: the source wins unless configured otherwise).
with source as (
    select * from intermediate.int_hello_miami__pending_users where outcome = 'migrated'
),
live as (
    select * from staging.stg_live_hello_miami__pending_users
),
rule as (
    select staging.live_wins('hello_miami.pending_users') as live_wins
)
select
    coalesce(l.id, s.target_id) as id,
    staging.field_rule(r.live_wins, l.email, s.email) as email,
    staging.field_rule(r.live_wins, l.name, s.name) as name,
    staging.field_rule(r.live_wins, l.luma_attendee_id, s.luma_attendee_id) as luma_attendee_id,
    staging.field_rule(r.live_wins, l.subscribed_at, s.subscribed_at) as subscribed_at,
    staging.field_rule(r.live_wins, l.approved_at, s.approved_at) as approved_at,
    staging.field_rule(r.live_wins, l.created_at, s.created_at) as created_at,
    staging.field_rule(r.live_wins, l.updated_at, s.updated_at) as updated_at
from source as s
full join live as l on l.id = s.target_id
cross join rule as r

-- One award per (member, badge). Rows already live (SPEC §4): every live award is kept; the
-- source's award of its (member, badge), the table's key, is that row, awarded_at by the table's
-- rule (staging.live_wins: the source wins unless configured otherwise).
with source as (
    select * from intermediate.int_hello_miami__member_badges where outcome = 'migrated'
),
live as (
    select * from staging.stg_live_hello_miami__member_badges
),
rule as (
    select staging.live_wins('hello_miami.member_badges') as live_wins
)
select
    coalesce(l.member_id, s.member_id) as member_id,
    coalesce(l.badge_id, s.badge_id) as badge_id,
    staging.field_rule(r.live_wins, l.awarded_at, s.awarded_at) as awarded_at
from source as s
full join live as l on l.member_id = s.member_id and l.badge_id = s.badge_id
cross join rule as r

-- Badges, one per name; icon_ascii from iconAscii, else icon, else ''. Rows already live (SPEC §4):
-- every live badge is kept with its id; a MongoDB badge of its name is that row, each field by the
-- table's rule (staging.live_wins: the source wins unless configured otherwise).
with source as (
    select * from intermediate.int_hello_miami__badges where outcome = 'migrated'
),
live as (
    select * from staging.stg_live_hello_miami__badges
),
rule as (
    select staging.live_wins('hello_miami.badges') as live_wins
)
select
    coalesce(l.id, s.target_id) as id,
    staging.field_rule(r.live_wins, l.name, s.name) as name,
    staging.field_rule(r.live_wins, l.icon_ascii, s.icon_ascii) as icon_ascii,
    coalesce(staging.field_rule(r.live_wins, l.criteria, s.criteria), '') as criteria,
    staging.field_rule(r.live_wins, l.created_at, s.created_at) as created_at
from source as s
full join live as l on l.id = s.target_id
cross join rule as r

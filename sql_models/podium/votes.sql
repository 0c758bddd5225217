-- One vote per (voter, project): the earliest. Rows already live (SPEC §4): every live row is kept
-- with its id; the source record matched to it (a live vote of its airtable_id or (voter, project))
-- took that id, so it is that row, each field by the table's rule (staging.live_wins: the source
-- wins unless configured otherwise).
with source as (
    select * from intermediate.int_podium__votes where outcome = 'migrated'
),
live as (
    select * from staging.stg_live_podium__votes
),
rule as (
    select staging.live_wins('podium.votes') as live_wins
)
select
    coalesce(l.id, s.target_id) as id,
    staging.field_rule(r.live_wins, l.airtable_id, s.airtable_id) as airtable_id,
    staging.field_rule(r.live_wins, l.voter_id, s.voter_id) as voter_id,
    staging.field_rule(r.live_wins, l.project_id, s.project_id) as project_id,
    staging.field_rule(r.live_wins, l.event_id, s.event_id) as event_id
from source as s
full join live as l on l.id = s.target_id
cross join rule as r

-- From projects.collaborators, one row per (project, user) after re-pointing. Rows already live
-- (SPEC §4): every live row is kept with its id; the source record matched to it (a live row of its
-- (project, user)) took that id, so it is that row, each field by the table's rule
-- (staging.live_wins: the source wins unless configured otherwise).
with source as (
    select * from intermediate.int_podium__project_collaborators where outcome = 'migrated'
),
live as (
    select * from staging.stg_live_podium__project_collaborators
),
rule as (
    select staging.live_wins('podium.project_collaborators') as live_wins
)
select
    coalesce(l.id, s.target_id) as id,
    staging.field_rule(r.live_wins, l.project_id, s.project_id) as project_id,
    staging.field_rule(r.live_wins, l.user_id, s.user_id) as user_id
from source as s
full join live as l on l.id = s.target_id
cross join rule as r

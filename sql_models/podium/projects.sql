-- Projects that passed every check; cached_auto_quality null where it is not JSON. Rows already
-- live (SPEC §4): every live row is kept with its id; the source record matched to it (a live
-- project of its airtable_id or join_code) took that id, so it is that row, each field by the
-- table's rule (staging.live_wins: the source wins unless configured otherwise).
with source as (
    select * from intermediate.int_podium__projects where outcome = 'migrated'
),
live as (
    select * from staging.stg_live_podium__projects
),
rule as (
    select staging.live_wins('podium.projects') as live_wins
)
select
    coalesce(l.id, s.target_id) as id,
    staging.field_rule(r.live_wins, l.airtable_id, s.airtable_id) as airtable_id,
    staging.field_rule(r.live_wins, l.name, left(s.name, 255)) as name,
    staging.field_rule(r.live_wins, l.repo, s.repo) as repo,
    staging.field_rule(r.live_wins, l.image_url, s.image_url) as image_url,
    staging.field_rule(r.live_wins, l.demo, s.demo) as demo,
    staging.field_rule(r.live_wins, l.description, s.description) as description,
    staging.field_rule(r.live_wins, l.join_code, s.join_code) as join_code,
    staging.field_rule(r.live_wins, l.hours_spent, s.hours_spent) as hours_spent,
    staging.field_rule(r.live_wins, l.points, s.points) as points,
    staging.field_rule(r.live_wins, l.cached_auto_quality, s.cached_auto_quality) as cached_auto_quality,
    staging.field_rule(r.live_wins, l.owner_id, s.owner_id) as owner_id,
    staging.field_rule(r.live_wins, l.event_id, s.event_id) as event_id
from source as s
full join live as l on l.id = s.target_id
cross join rule as r

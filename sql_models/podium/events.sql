-- Events that passed every check, owner re-pointed to the primary user. Rows already live (SPEC
-- §4): every live row is kept with its id; the source record matched to it (a live event of its
-- airtable_id, slug or join_code) took that id, so it is that row, each field by the table's rule
-- (staging.live_wins: the source wins unless configured otherwise).
with source as (
    select * from intermediate.int_podium__events where outcome = 'migrated'
),
live as (
    select * from staging.stg_live_podium__events
),
rule as (
    select staging.live_wins('podium.events') as live_wins
)
select
    coalesce(l.id, s.target_id) as id,
    staging.field_rule(r.live_wins, l.airtable_id, s.airtable_id) as airtable_id,
    staging.field_rule(r.live_wins, l.name, left(s.name, 255)) as name,
    staging.field_rule(r.live_wins, l.slug, s.slug) as slug,
    staging.field_rule(r.live_wins, l.description, s.description) as description,
    staging.field_rule(r.live_wins, l.join_code, s.join_code) as join_code,
    staging.field_rule(r.live_wins, l.votable, s.votable) as votable,
    staging.field_rule(r.live_wins, l.leaderboard_enabled, s.leaderboard_enabled) as leaderboard_enabled,
    staging.field_rule(r.live_wins, l.demo_links_optional, s.demo_links_optional) as demo_links_optional,
    staging.field_rule(r.live_wins, l.ysws_checks_enabled, s.ysws_checks_enabled) as ysws_checks_enabled,
    staging.field_rule(r.live_wins, l.feature_flags_csv, left(s.feature_flags_csv, 500)) as feature_flags_csv,
    staging.field_rule(r.live_wins, l.owner_id, s.owner_id) as owner_id
from source as s
full join live as l on l.id = s.target_id
cross join rule as r

-- Member projects whose member migrated (merged members re-pointed). Rows already live (SPEC §4):
-- every live project is kept with its id (a project an earlier cutover moved holds the id the
-- source record is given again, so it is that row), each field by the table's rule
-- (staging.live_wins: the source wins unless configured otherwise).
with source as (
    select * from intermediate.int_hello_miami__projects where outcome = 'migrated'
),
live as (
    select * from staging.stg_live_hello_miami__projects
),
rule as (
    select staging.live_wins('hello_miami.projects') as live_wins
)
select
    coalesce(l.id, s.target_id) as id,
    staging.field_rule(r.live_wins, l.member_id, s.member_id) as member_id,
    staging.field_rule(r.live_wins, l.title, s.title) as title,
    staging.field_rule(r.live_wins, l.description, s.description) as description,
    staging.field_rule(r.live_wins, l.tags, s.tags) as tags,
    staging.field_rule(r.live_wins, l.image_urls, s.image_urls) as image_urls,
    staging.field_rule(r.live_wins, l.github_url, s.github_url) as github_url,
    staging.field_rule(r.live_wins, l.public_url, s.public_url) as public_url,
    staging.field_rule(r.live_wins, l.created_at, s.created_at) as created_at,
    staging.field_rule(r.live_wins, l.updated_at, s.updated_at) as updated_at
from source as s
full join live as l on l.id = s.target_id
cross join rule as r

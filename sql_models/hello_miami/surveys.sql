-- Surveys, one per slug. Rows already live (SPEC §4): every live survey is kept with its id; a
-- MongoDB survey of its slug is that row, each field by the table's rule (staging.live_wins: the
-- source wins unless configured otherwise).
with source as (
    select * from intermediate.int_hello_miami__surveys where outcome = 'migrated'
),
live as (
    select * from staging.stg_live_hello_miami__surveys
),
rule as (
    select staging.live_wins('hello_miami.surveys') as live_wins
)
select
    coalesce(l.id, s.target_id) as id,
    staging.field_rule(r.live_wins, l.slug, s.slug) as slug,
    staging.field_rule(r.live_wins, l.title, s.title) as title,
    staging.field_rule(r.live_wins, l.description, s.description) as description,
    staging.field_rule(r.live_wins, l.type, s.type) as type,
    staging.field_rule(r.live_wins, l.is_active, s.is_active) as is_active,
    staging.field_rule(r.live_wins, l.questions, s.questions) as questions,
    staging.field_rule(r.live_wins, l.created_at, s.created_at) as created_at,
    staging.field_rule(r.live_wins, l.updated_at, s.updated_at) as updated_at
from source as s
full join live as l on l.id = s.target_id
cross join rule as r

-- One response per (survey, member): complete over incomplete, then the latest submittedAt. Rows
-- already live (SPEC §4): every live response is kept with its id; the source's response of its
-- (survey, member) took that id, so it is that row, each field by the table's rule
-- (staging.live_wins: the source wins unless configured otherwise).
with source as (
    select * from intermediate.int_hello_miami__survey_responses where outcome = 'migrated'
),
live as (
    select * from staging.stg_live_hello_miami__survey_responses
),
rule as (
    select staging.live_wins('hello_miami.survey_responses') as live_wins
)
select
    coalesce(l.id, s.target_id) as id,
    staging.field_rule(r.live_wins, l.survey_id, s.survey_id) as survey_id,
    staging.field_rule(r.live_wins, l.member_id, s.member_id) as member_id,
    staging.field_rule(r.live_wins, l.responses, s.responses) as responses,
    staging.field_rule(r.live_wins, l.is_complete, s.is_complete) as is_complete,
    staging.field_rule(r.live_wins, l.submitted_at, s.submitted_at) as submitted_at,
    staging.field_rule(r.live_wins, l.created_at, s.created_at) as created_at,
    staging.field_rule(r.live_wins, l.updated_at, s.updated_at) as updated_at
from source as s
full join live as l on l.id = s.target_id
cross join rule as r

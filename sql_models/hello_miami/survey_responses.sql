-- One response per (survey, member): complete over incomplete, then the latest submittedAt.
select target_id as id, survey_id, member_id, responses, is_complete, submitted_at, created_at, updated_at
from intermediate.int_hello_miami__survey_responses
where outcome = 'migrated'

-- Hello Miami's live survey_responses as the dry-run landed them (raw_live_hello_miami): unchanged (SPEC §4
-- "Rows already live").
-- index: survey_id
select * from raw_live_hello_miami.survey_responses

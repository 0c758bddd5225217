-- Hello Miami survey responses.
-- index: mongo_id
with raw_survey_responses as (
    select _id, document from raw_mongo.survey_responses
),
typed as (
    select
        lower(_id) as mongo_id,
        staging.oid(document->'surveyId') as survey_mongo_id,
        staging.oid(document->'memberId') as member_mongo_id,
        case when jsonb_typeof(document->'responses') = 'object' then staging.plain(document->'responses')
             else '{}'::jsonb end as responses,
        coalesce(staging.bool(document->'isComplete'), false) as is_complete,
        staging.utc(staging.ts(document->'submittedAt')) as submitted_at_raw,
        staging.utc(coalesce(staging.ts(document->'createdAt'), staging.oid_time(_id))) as created_at,
        staging.utc(staging.ts(document->'updatedAt')) as updated_at_raw
    from raw_survey_responses
)
select mongo_id, survey_mongo_id, member_mongo_id, responses, is_complete,
       submitted_at_raw, coalesce(submitted_at_raw, created_at) as submitted_at,
       created_at, coalesce(updated_at_raw, created_at) as updated_at
from typed

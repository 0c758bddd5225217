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
        staging.utc(dates."submittedAt") as submitted_at_raw,
        staging.utc(coalesce(dates."createdAt", staging.oid_time(_id))) as created_at,
        staging.utc(dates."updatedAt") as updated_at_raw,
        document, dates.*
    from raw_survey_responses
    cross join lateral (select staging.ts(document->'submittedAt') as "submittedAt", staging.ts(document->'createdAt') as "createdAt", staging.ts(document->'updatedAt') as "updatedAt" offset 0) as dates
)
select mongo_id, survey_mongo_id, member_mongo_id, responses, is_complete,
       submitted_at_raw, submitted_at, created_at, updated_at,
       array_remove(array[
           staging.fix_if(jsonb_typeof(document->'responses') not in ('object', 'null'), 'responses', document->'responses', '{}', 'not an object'),
           staging.bool_fix('isComplete', document->'isComplete', is_complete::text),
           staging.date_fix('submittedAt', document->'submittedAt', "submittedAt", submitted_at::text),
           staging.date_fix('createdAt', document->'createdAt', "createdAt", created_at::text),
           staging.date_fix('updatedAt', document->'updatedAt', "updatedAt", updated_at::text)
       ], null) as fixes
from (select typed.*, coalesce(updated_at_raw, created_at) as updated_at,
             coalesce(submitted_at_raw, created_at) as submitted_at from typed) as typed

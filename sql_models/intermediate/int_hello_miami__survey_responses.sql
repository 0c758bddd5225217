-- One row per MongoDB survey response: survey and member must have migrated; one response per
-- (survey, member) after re-pointing: complete beats incomplete, then latest submittedAt, then _id.
-- A live response of the same (survey, member) gives its id (SPEC §4 "Rows already live": the
-- table's unique key is the natural key), so the live row and the source are one row.
-- index: mongo_id
with responses as (
    select * from staging.stg_mongo__survey_responses
),
checked as (
    select
        responses.*,
        surveys.target_id as survey_id,
        members.target_id as member_id,
        case when responses.survey_mongo_id is null or surveys.mongo_id is null then 'surveyId not found'
             when surveys.outcome = 'quarantined' then 'surveyId not migrated'
             when responses.member_mongo_id is null or members.mongo_id is null then 'memberId not found'
             when members.outcome = 'quarantined' then 'memberId not migrated' end as quarantine_reason
    from responses
    left join intermediate.int_hello_miami__surveys as surveys on surveys.mongo_id = responses.survey_mongo_id
    left join intermediate.int_hello_miami__members as members on members.mongo_id = responses.member_mongo_id
),
kept as (
    select mongo_id,
           first_value(mongo_id) over (
               partition by survey_id, member_id
               order by is_complete desc, submitted_at_raw desc nulls last, mongo_id
           ) as kept_mongo_id
    from checked
    where quarantine_reason is null
)
select
    checked.*,
    kept.kept_mongo_id,
    case when checked.quarantine_reason is not null then 'quarantined'
         when kept.kept_mongo_id = checked.mongo_id then 'migrated'
         else 'merged' end as outcome,
    coalesce(live.id, migration.stable_id('hello_miami', 'survey_responses', kept.kept_mongo_id)) as target_id
from checked
left join kept on kept.mongo_id = checked.mongo_id
left join staging.stg_live_hello_miami__survey_responses as live
       on live.survey_id = checked.survey_id and live.member_id = checked.member_id and kept.mongo_id is not null

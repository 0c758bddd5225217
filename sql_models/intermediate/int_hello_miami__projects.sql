-- One row per MongoDB project: the member must exist and have migrated (merged ones re-pointed).
-- index: mongo_id
with projects as (
    select * from staging.stg_mongo__projects
),
checked as (
    select
        projects.*,
        members.target_id as member_id,
        case when projects.member_mongo_id is null or members.mongo_id is null then 'memberId not found'
             when members.outcome = 'quarantined' then 'memberId not migrated'
             when projects.title is null then 'missing title' end as quarantine_reason
    from projects
    left join intermediate.int_hello_miami__members as members on members.mongo_id = projects.member_mongo_id
)
select
    checked.*,
    case when quarantine_reason is null then 'migrated' else 'quarantined' end as outcome,
    case when quarantine_reason is null then migration.stable_id('hello_miami', 'projects', mongo_id) end as target_id
from checked

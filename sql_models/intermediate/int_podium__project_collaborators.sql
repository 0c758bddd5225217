-- One row per element of projects.collaborators (source table `projects.collaborators`, source id
-- `<project id>:<user id>`), classified like the event attendees.
-- index: source_id
with elements as (
    select distinct on (projects.airtable_id, collaborator.user_airtable_id)
        projects.airtable_id as project_airtable_id,
        collaborator.user_airtable_id,
        collaborator.position,
        projects.outcome as project_outcome,
        projects.target_id as project_id
    from intermediate.int_podium__projects as projects
    cross join lateral jsonb_array_elements_text(projects.collaborators) with ordinality as collaborator(user_airtable_id, position)
    order by projects.airtable_id, collaborator.user_airtable_id, collaborator.position
),
checked as (
    select
        elements.project_airtable_id || ':' || elements.user_airtable_id as source_id,
        elements.*,
        users.target_id as user_id,
        case when elements.project_outcome = 'quarantined' then 'project not migrated'
             when users.airtable_id is null then 'collaborator not found'
             when users.outcome = 'quarantined' then 'collaborator not migrated' end as quarantine_reason
    from elements
    left join intermediate.int_podium__users as users on users.airtable_id = elements.user_airtable_id
),
kept as (
    select source_id,
           first_value(source_id) over (partition by project_id, user_id order by position, source_id) as kept_source_id
    from checked
    where quarantine_reason is null
)
select
    checked.*,
    kept.kept_source_id,
    case when checked.quarantine_reason is not null then 'quarantined'
         when kept.kept_source_id = checked.source_id then 'migrated'
         else 'merged' end as outcome,
    coalesce(live.id, migration.stable_id('podium', 'project_collaborators', kept.kept_source_id)) as target_id
from checked
left join kept on kept.source_id = checked.source_id
-- the live row of the same (project, user), the table's unique key, keeps its id (SPEC §4 "Rows already live")
left join staging.stg_live_podium__project_collaborators as live
       on live.project_id = checked.project_id and live.user_id = checked.user_id and kept.source_id is not null

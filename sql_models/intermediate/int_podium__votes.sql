-- One row per Airtable vote: voter, project, event checks; then one vote per (voter, project) after
-- merged voters are re-pointed: the earliest (createdTime, then id) migrates, later ones merge.
-- index: airtable_id
with votes as (
    select * from staging.stg_airtable__votes
),
users as (
    select airtable_id, outcome, target_id from intermediate.int_podium__users
),
projects as (
    select airtable_id, outcome, target_id from intermediate.int_podium__projects
),
events as (
    select airtable_id, outcome, target_id from intermediate.int_podium__events
),
checked as (
    select
        votes.*,
        voters.target_id as voter_id,
        voted_projects.target_id as project_id,
        voted_events.target_id as event_id,
        case when votes.voter_airtable_id is null then 'missing voter'
             when voters.airtable_id is null then 'voter not found'
             when voters.outcome = 'quarantined' then 'voter not migrated'
             when votes.project_airtable_id is null then 'missing project'
             when voted_projects.airtable_id is null then 'project not found'
             when voted_projects.outcome = 'quarantined' then 'project not migrated'
             when votes.event_airtable_id is null then 'missing event'
             when voted_events.airtable_id is null then 'event not found'
             when voted_events.outcome = 'quarantined' then 'event not migrated' end as quarantine_reason
    from votes
    left join users as voters on voters.airtable_id = votes.voter_airtable_id
    left join projects as voted_projects on voted_projects.airtable_id = votes.project_airtable_id
    left join events as voted_events on voted_events.airtable_id = votes.event_airtable_id
),
earliest_votes as (
    select airtable_id,
           first_value(airtable_id) over (
               partition by voter_id, project_id order by created_time nulls last, airtable_id
           ) as kept_airtable_id
    from checked
    where quarantine_reason is null
)
select
    checked.*,
    earliest_votes.kept_airtable_id,
    case when checked.quarantine_reason is not null then 'quarantined'
         when earliest_votes.kept_airtable_id = checked.airtable_id then 'migrated'
         else 'merged' end as outcome,
    coalesce(live.id, migration.stable_id('podium', 'votes', earliest_votes.kept_airtable_id)) as target_id
from checked
left join earliest_votes on earliest_votes.airtable_id = checked.airtable_id
-- the live vote of the kept vote's airtable_id, else of its (voter, project) (the table's unique
-- key: a vote cast in the application), keeps its id (SPEC §4 "Rows already live")
left join lateral (
    select l.id from staging.stg_live_podium__votes as l
    where earliest_votes.kept_airtable_id is not null
      and (l.airtable_id = earliest_votes.kept_airtable_id or (l.voter_id = checked.voter_id and l.project_id = checked.project_id))
    order by (l.airtable_id = earliest_votes.kept_airtable_id) desc nulls last limit 1
) as live on true

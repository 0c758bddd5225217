-- One row per Airtable project: name, owner, event and join_code checks in that order, then
-- join_code clashes among the survivors (earliest createdTime, then id, keeps it).
-- index: airtable_id
with projects as (
    select * from staging.stg_airtable__projects
),
users as (
    select airtable_id, outcome, target_id from intermediate.int_podium__users
),
events as (
    select airtable_id, outcome, target_id from intermediate.int_podium__events
),
checked as (
    select
        projects.*,
        owners.target_id as owner_id,
        parent_events.target_id as event_id,
        case when not projects.has_name then 'missing name'
             when projects.owner_airtable_id is null then 'missing owner'
             when owners.airtable_id is null then 'owner not found'
             when owners.outcome = 'quarantined' then 'owner not migrated'
             when projects.event_airtable_id is null then 'missing event'
             when parent_events.airtable_id is null then 'event not found'
             when parent_events.outcome = 'quarantined' then 'event not migrated'
             when projects.join_code is null then 'missing join_code'
             when length(projects.join_code) > 20 then 'join_code too long' end as check_reason
    from projects
    left join users as owners on owners.airtable_id = projects.owner_airtable_id
    left join events as parent_events on parent_events.airtable_id = projects.event_airtable_id
),
join_code_ranks as (
    select airtable_id,
           row_number() over (partition by join_code order by created_time nulls last, airtable_id) as join_code_rank
    from checked
    where check_reason is null
),
classified as (
    select
        checked.*,
        coalesce(checked.check_reason,
                 case when join_code_ranks.join_code_rank > 1 then 'duplicate join_code' end) as quarantine_reason
    from checked
    left join join_code_ranks on join_code_ranks.airtable_id = checked.airtable_id
)
select
    classified.*,
    case when quarantine_reason is null then 'migrated' else 'quarantined' end as outcome,
    case when quarantine_reason is null
         then coalesce(live.id, migration.stable_id('podium', 'projects', airtable_id)) end as target_id
from classified
-- a live project of its airtable_id, else of its join_code, keeps its id (SPEC §4 "Rows already live")
left join lateral (
    select l.id from staging.stg_live_podium__projects as l
    where l.airtable_id = classified.airtable_id or l.join_code = classified.join_code
    order by (l.airtable_id = classified.airtable_id) desc nulls last limit 1
) as live on true

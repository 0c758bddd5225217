-- The run's classification totals per source table of one application ({app}), beside landing's source_count/landed (kept;
-- filled from the classification only where landing wrote none, e.g. the link pseudo tables).
-- upsert: run_id, source, source_table
with totals as (
    select source, source_table, min(target_table) as target_table,
           count(*) filter (where outcome = 'migrated') as migrated,
           count(*) filter (where outcome = 'merged') as merged,
           count(*) filter (where outcome = 'quarantined') as quarantined,
           count(*) as classified
    from intermediate.int_{app}__classification
    group by source, source_table
),
candidate_counts as (
    -- one row per table of the application (placeholder filled from the registry)
    {candidate_counts}
),
landed as (
    select source, source_table, source_count, landed
    from migration.count_ledger
    where run_id = current_setting('cutover.run_id') and source in ({sources})
),
classified as (
    select
        coalesce(t.source, l.source) as source,
        coalesce(t.source_table, l.source_table) as source_table,
        coalesce(l.source_count, t.classified, 0) as source_count,
        coalesce(l.landed, t.classified, 0) as landed,
        coalesce(t.migrated, 0) as migrated,
        coalesce(t.merged, 0) as merged,
        coalesce(t.quarantined, 0) as quarantined,
        t.target_table
    from totals as t
    full join landed as l on l.source = t.source and l.source_table = t.source_table
),
targets as (
    select classified.*,
           case when source = 'luma' and source_table = 'guests' then 'hello_miami.attendance'
                when source = 'luma' and source_table = 'events' then 'hello_miami.events'
                when source = 'airtable' and source_table = 'events.attendees' then 'podium.event_attendees'
                when source = 'airtable' and source_table = 'projects.collaborators' then 'podium.project_collaborators'
                when source = 'airtable' then 'podium.' || source_table
                else 'hello_miami.' || source_table end as mapped_target_table
    from classified
)
select
    current_setting('cutover.run_id') as run_id, targets.source, targets.source_table,
    targets.source_count, targets.landed, targets.migrated, targets.merged, targets.quarantined,
    targets.mapped_target_table as target_table,
    c.candidate_count
from targets
left join candidate_counts as c on c.target_table = targets.mapped_target_table

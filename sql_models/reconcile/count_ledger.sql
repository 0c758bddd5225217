-- The run's classification totals per source table, beside landing's source_count/landed (kept;
-- filled from the classification only where landing wrote none, e.g. the link pseudo tables).
-- upsert: run_id, source, source_table
with totals as (
    select source, source_table, min(target_table) as target_table,
           count(*) filter (where outcome = 'migrated') as migrated,
           count(*) filter (where outcome = 'merged') as merged,
           count(*) filter (where outcome = 'quarantined') as quarantined,
           count(*) as classified
    from intermediate.int_classification
    group by source, source_table
),
candidate_counts as (
    select 'podium.users' as target_table, count(*) as candidate_count from podium_next.users
    union all select 'podium.events', count(*) from podium_next.events
    union all select 'podium.projects', count(*) from podium_next.projects
    union all select 'podium.votes', count(*) from podium_next.votes
    union all select 'podium.referrals', count(*) from podium_next.referrals
    union all select 'podium.event_attendees', count(*) from podium_next.event_attendees
    union all select 'podium.project_collaborators', count(*) from podium_next.project_collaborators
    union all select 'hello_miami.profiles', count(*) from hello_miami_next.profiles
    union all select 'hello_miami.projects', count(*) from hello_miami_next.projects
    union all select 'hello_miami.badges', count(*) from hello_miami_next.badges
    union all select 'hello_miami.member_badges', count(*) from hello_miami_next.member_badges
    union all select 'hello_miami.events', count(*) from hello_miami_next.events
    union all select 'hello_miami.attendance', count(*) from hello_miami_next.attendance
    union all select 'hello_miami.pending_users', count(*) from hello_miami_next.pending_users
    union all select 'hello_miami.luma_webhooks', count(*) from hello_miami_next.luma_webhooks
    union all select 'hello_miami.surveys', count(*) from hello_miami_next.surveys
    union all select 'hello_miami.survey_responses', count(*) from hello_miami_next.survey_responses
    union all select 'hello_miami.demo_slots', count(*) from hello_miami_next.demo_slots
),
landed as (
    select source, source_table, source_count, landed
    from migration.count_ledger
    where run_id = current_setting('cutover.run_id')
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

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
)
select
    current_setting('cutover.run_id') as run_id, t.source, t.source_table,
    coalesce(l.source_count, t.classified) as source_count,
    coalesce(l.landed, t.classified) as landed,
    t.migrated, t.merged, t.quarantined,
    case when t.source = 'luma' and t.source_table = 'guests' then 'hello_miami.attendance' else t.target_table end
        as target_table,
    c.candidate_count
from totals as t
left join landed as l on l.source = t.source and l.source_table = t.source_table
left join candidate_counts as c
  on c.target_table = case when t.source = 'luma' and t.source_table = 'guests' then 'hello_miami.attendance' else t.target_table end

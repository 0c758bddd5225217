-- Every Podium source record exactly once: migrated (a row of a target table), merged (folded into
-- another record: `into_source_id`, by `reason` = the rule) or quarantined (`reason`).
-- target_id is the row the record lives in (for merged records, the row it folded into).
-- index: source, source_table, source_id
with podium as (
    select 'airtable' as source, 'users' as source_table, airtable_id as source_id, outcome,
           coalesce(quarantine_reason, case when outcome = 'merged' then 'duplicate email' end) as reason,
           'podium.users' as target_table, target_id, primary_airtable_id as into_source_id
    from intermediate.int_podium__users
    union all
    select 'airtable', 'events', airtable_id, outcome, quarantine_reason, 'podium.events', target_id, null
    from intermediate.int_podium__events
    union all
    select 'airtable', 'projects', airtable_id, outcome, quarantine_reason, 'podium.projects', target_id, null
    from intermediate.int_podium__projects
    union all
    select 'airtable', 'votes', airtable_id, outcome,
           coalesce(quarantine_reason, case when outcome = 'merged' then 'duplicate vote' end),
           'podium.votes', target_id, kept_airtable_id
    from intermediate.int_podium__votes
    union all
    select 'airtable', 'referrals', airtable_id, outcome, quarantine_reason, 'podium.referrals', target_id, null
    from intermediate.int_podium__referrals
    union all
    select 'airtable', 'events.attendees', source_id, outcome,
           coalesce(quarantine_reason, case when outcome = 'merged' then 'duplicate link' end),
           'podium.event_attendees', target_id, kept_source_id
    from intermediate.int_podium__event_attendees
    union all
    select 'airtable', 'projects.collaborators', source_id, outcome,
           coalesce(quarantine_reason, case when outcome = 'merged' then 'duplicate link' end),
           'podium.project_collaborators', target_id, kept_source_id
    from intermediate.int_podium__project_collaborators
)
select source, source_table, source_id, outcome, reason, target_table,
       case when outcome = 'quarantined' then null else target_id end as target_id,
       case when outcome = 'merged' then into_source_id end as into_source_id
from podium as classified

-- Every Hello Miami source record exactly once: migrated (a row of a target table), merged (folded into
-- another record: `into_source_id`, by `reason` = the rule) or quarantined (`reason`).
-- target_id is the row the record lives in (for merged records, the row it folded into).
-- index: source, source_table, source_id
with hello_miami as (
    select 'mongo' as source, 'profiles' as source_table, mongo_id as source_id, outcome,
           coalesce(quarantine_reason, case when outcome = 'merged' then 'duplicate lumaEmail' end) as reason,
           'hello_miami.profiles' as target_table, target_id, primary_mongo_id as into_source_id
    from intermediate.int_hello_miami__profiles
    union all
    select 'mongo', 'projects', mongo_id, outcome, quarantine_reason, 'hello_miami.projects', target_id, null
    from intermediate.int_hello_miami__projects
    union all
    select 'mongo', 'badges', mongo_id, outcome, quarantine_reason, 'hello_miami.badges', target_id, null
    from intermediate.int_hello_miami__badges
    union all
    select 'mongo', 'member_badges', mongo_id, outcome,
           coalesce(quarantine_reason, case when outcome = 'merged' then 'duplicate member_badge' end),
           'hello_miami.member_badges', target_id, kept_mongo_id
    from intermediate.int_hello_miami__member_badges
    union all
    select 'mongo', 'events', mongo_id, outcome,
           coalesce(quarantine_reason, case when outcome = 'merged' then 'duplicate lumaEventId' end),
           'hello_miami.events', case when outcome <> 'quarantined' then target_id end, kept_mongo_id
    from intermediate.int_hello_miami__mongo_events
    union all
    select 'luma', 'events', api_id, 'migrated', null, 'hello_miami.events', ids.id, null
    from staging.stg_luma__events
    left join intermediate.int_hello_miami__event_ids as ids on ids.luma_event_id = stg_luma__events.api_id
    union all
    select source, source_table, source_id, outcome,
           coalesce(quarantine_reason, merge_rule, case when outcome = 'merged' then 'duplicate attendance' end),
           case when merge_rule is not null then 'hello_miami.events' else 'hello_miami.attendance' end,
           case when outcome <> 'quarantined' then target_id end,
           case when merge_rule is not null then luma_event_id when outcome = 'merged' then kept_source_id end
    from intermediate.int_hello_miami__attendance
    union all
    select 'mongo', 'pending_users', mongo_id, outcome,
           coalesce(quarantine_reason, case when outcome = 'merged' then 'duplicate email' end),
           'hello_miami.pending_users', case when outcome <> 'quarantined' then target_id end, kept_mongo_id
    from intermediate.int_hello_miami__pending_users
    union all
    select 'mongo', 'luma_webhooks', mongo_id, 'migrated', null, 'hello_miami.luma_webhooks',
           migration.stable_id('hello_miami', 'luma_webhooks', mongo_id), null
    from staging.stg_mongo__luma_webhooks
    union all
    select 'mongo', 'surveys', mongo_id, outcome, quarantine_reason, 'hello_miami.surveys', target_id, null
    from intermediate.int_hello_miami__surveys
    union all
    select 'mongo', 'survey_responses', mongo_id, outcome,
           coalesce(quarantine_reason, case when outcome = 'merged' then 'duplicate response' end),
           'hello_miami.survey_responses', target_id, kept_mongo_id
    from intermediate.int_hello_miami__survey_responses
    union all
    select 'mongo', 'demo_slots', mongo_id, outcome, quarantine_reason, 'hello_miami.demo_slots', target_id, null
    from intermediate.int_hello_miami__demo_slots
),
luma_duplicates as (
    -- a Luma key listed again in one landing: merged into the entry listed first, and lives where it does
    select 'luma', d.source_table, d.source_id, 'merged', d.rule, kept.target_table, kept.target_id, d.kept_source_id
    from staging.stg_luma__duplicates as d
    join hello_miami as kept on kept.source = 'luma' and kept.source_table = d.source_table and kept.source_id = d.kept_source_id
)
select source, source_table, source_id, outcome, reason, target_table,
       case when outcome = 'quarantined' then null else target_id end as target_id,
       case when outcome = 'merged' then into_source_id end as into_source_id
from (select * from hello_miami union all select * from luma_duplicates) as classified

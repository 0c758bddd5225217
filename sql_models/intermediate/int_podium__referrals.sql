-- One row per Airtable referral: user and event must have migrated (merged users re-pointed).
-- index: airtable_id
with referrals as (
    select * from staging.stg_airtable__referrals
),
users as (
    select airtable_id, outcome, target_id from intermediate.int_podium__users
),
events as (
    select airtable_id, outcome, target_id from intermediate.int_podium__events
),
checked as (
    select
        referrals.*,
        referrers.target_id as user_id,
        referred_events.target_id as event_id,
        case when referrals.user_airtable_id is null then 'missing user'
             when referrers.airtable_id is null then 'user not found'
             when referrers.outcome = 'quarantined' then 'user not migrated'
             when referrals.event_airtable_id is null then 'missing event'
             when referred_events.airtable_id is null then 'event not found'
             when referred_events.outcome = 'quarantined' then 'event not migrated' end as quarantine_reason
    from referrals
    left join users as referrers on referrers.airtable_id = referrals.user_airtable_id
    left join events as referred_events on referred_events.airtable_id = referrals.event_airtable_id
)
select
    checked.*,
    case when quarantine_reason is null then 'migrated' else 'quarantined' end as outcome,
    case when quarantine_reason is null
         then coalesce(live.id, migration.stable_id('podium', 'referrals', checked.airtable_id)) end as target_id
from checked
-- the live referral of its airtable_id keeps its id (SPEC §4 "Rows already live")
left join staging.stg_live_podium__referrals as live on live.airtable_id = checked.airtable_id

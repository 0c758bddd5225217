-- One row per Airtable event with its outcome: the first failing check quarantines it (name, owner,
-- slug, join_code), then slug and join_code clashes among the survivors (earliest keeps).
-- A slug outside SPEC §2.1's `[-a-z0-9]+` is quarantined, not rewritten: the slug is the event's
-- address and a natural key for live rows, so a slugified value could point at another event.
-- index: airtable_id
with events as (
    select * from staging.stg_airtable__events
),
users as (
    select airtable_id, outcome, target_id from intermediate.int_podium__users
),
checked as (
    select
        events.*,
        owners.target_id as owner_id,
        case when not events.has_name then 'missing name'
             when events.owner_airtable_id is null then 'missing owner'
             when owners.airtable_id is null then 'owner not found'
             when owners.outcome = 'quarantined' then 'owner not migrated'
             when events.slug is null then 'missing slug'
             when length(events.slug) > 50 then 'slug too long'
             when events.slug !~ '^[-a-z0-9]+$' then 'slug not [-a-z0-9]+'
             when events.join_code is null then 'missing join_code'
             when length(events.join_code) > 20 then 'join_code too long' end as check_reason
    from events
    left join users as owners on owners.airtable_id = events.owner_airtable_id
),
slug_ranks as (
    select airtable_id,
           row_number() over (partition by slug order by created_time nulls last, airtable_id) as slug_rank
    from checked
    where check_reason is null
),
join_code_ranks as (
    select checked.airtable_id,
           row_number() over (partition by join_code order by created_time nulls last, checked.airtable_id) as join_code_rank
    from checked
    join slug_ranks on slug_ranks.airtable_id = checked.airtable_id and slug_ranks.slug_rank = 1
),
classified as (
    select
        checked.*,
        coalesce(checked.check_reason,
                 case when slug_ranks.slug_rank > 1 then 'duplicate slug'
                      when join_code_ranks.join_code_rank > 1 then 'duplicate join_code' end) as quarantine_reason
    from checked
    left join slug_ranks on slug_ranks.airtable_id = checked.airtable_id
    left join join_code_ranks on join_code_ranks.airtable_id = checked.airtable_id
)
select
    classified.*,
    case when quarantine_reason is null then 'migrated' else 'quarantined' end as outcome,
    case when quarantine_reason is null
         then coalesce(live.id, migration.stable_id('podium', 'events', airtable_id)) end as target_id
from classified
-- a live event of its airtable_id, else of its slug, else of its join_code, keeps its id (SPEC §4
-- "Rows already live"). The slug matched is the Airtable slug itself: a slug outside [-a-z0-9]+ is
-- quarantined above rather than rewritten, so a candidate's slug is never derived and never
-- matches a live event by accident.
left join lateral (
    select l.id from staging.stg_live_podium__events as l
    where l.airtable_id = classified.airtable_id or l.slug = classified.slug or l.join_code = classified.join_code
    order by (l.airtable_id = classified.airtable_id) desc nulls last, (l.slug = classified.slug) desc nulls last limit 1
) as live on true

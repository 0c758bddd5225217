-- One row per MongoDB profile: quarantined without lumaEmail; otherwise the primary of its email
-- (verified first, then most complete, then oldest createdAt, then _id) or merged into it.
-- A clerkUserId held by two primaries stays with the earliest; later ones lose it (value_fixes).
-- Rows already live (SPEC §4): a primary whose email a live profile holds (lower(trim(luma_email))),
-- else whose clerkUserId one holds, takes that live row's id (live_id), and so do the documents
-- merged into it; each live row is matched at most once (email first, then the earliest primary).
-- A live row is never merged into another: one matched by clerkUserId to a primary that another
-- live row matched by email stays its own row, and keeps its clerkUserId (the primary loses it).
-- index: mongo_id
-- index: luma_attendee_id
with profiles as (
    select * from staging.stg_mongo__profiles
),
checked as (
    select
        profiles.*,
        case when luma_email is null then 'missing lumaEmail' end as quarantine_reason,
        (clerk_user_id is not null)::int + (luma_attendee_id is not null)::int
          + (coalesce(trim(bio), '') <> '')::int + (jsonb_array_length(skills) > 0)::int
          + (coalesce(trim(github_username), '') <> '')::int + (coalesce(trim(twitter_handle), '') <> '')::int
          + (coalesce(trim(website_url), '') <> '')::int + (coalesce(trim(role), '') <> '')::int as completeness
    from profiles
),
primaries as (
    select
        mongo_id,
        first_value(mongo_id) over (
            partition by luma_email
            order by (verification_status = 'verified') desc, completeness desc, created_at, mongo_id
        ) as primary_mongo_id
    from checked
    where quarantine_reason is null
),
classified as (
    select
        checked.*,
        primaries.primary_mongo_id,
        case when checked.quarantine_reason is not null then 'quarantined'
             when primaries.primary_mongo_id = checked.mongo_id then 'migrated'
             else 'merged' end as outcome
    from checked
    left join primaries on primaries.mongo_id = checked.mongo_id
),
live as (
    select id, email_key, clerk_user_id, created_at from staging.stg_live_hello_miami__profiles
),
email_matches as (
    select distinct on (c.mongo_id) c.mongo_id as primary_mongo_id, l.id as live_id
    from classified as c
    join live as l on l.email_key = c.luma_email
    where c.outcome = 'migrated'
    order by c.mongo_id, l.created_at, l.id
),
clerk_matches as (
    select distinct on (l.id) c.mongo_id as primary_mongo_id, l.id as live_id
    from classified as c
    join live as l on l.clerk_user_id = c.clerk_user_id
    where c.outcome = 'migrated'
      -- two anti-joins, not one with `or`: an `or` cannot be hashed, and ran as a nested loop
      and not exists (select 1 from email_matches as e where e.primary_mongo_id = c.mongo_id)
      and not exists (select 1 from email_matches as e where e.live_id = l.id)
    order by l.id, c.created_at, c.mongo_id
),
matches as (
    select primary_mongo_id, live_id, 'lumaEmail' as matched_by from email_matches
    union all
    select primary_mongo_id, live_id, 'clerkUserId' from clerk_matches
),
-- live rows per clerkUserId, so "a live row other than the matched one holds it" is a hash join:
-- as a correlated scan of `live` per profile it was 120k x 120k comparisons with a full live table
live_clerks as (
    select clerk_user_id, count(*) as holders, (array_agg(id))[1] as only_id
    from live
    where clerk_user_id is not null
    group by clerk_user_id
),
clerk_owners as (
    select mongo_id,
           row_number() over (partition by clerk_user_id order by created_at, mongo_id) as clerk_rank
    from classified
    where outcome = 'migrated' and clerk_user_id is not null
)
select
    classified.*,
    matches.live_id,
    matches.matched_by,
    coalesce(matches.live_id, migration.stable_id('hello_miami', 'profiles', classified.primary_mongo_id)) as target_id,
    case when not taken.clerk_taken then classified.clerk_user_id end as stored_clerk_user_id,
    coalesce(taken.clerk_taken, false) as clerk_user_id_taken
from classified
left join matches on matches.primary_mongo_id = classified.primary_mongo_id
left join clerk_owners on clerk_owners.mongo_id = classified.mongo_id
left join live_clerks on live_clerks.clerk_user_id = classified.clerk_user_id
-- taken: by an earlier primary, or by a live row this profile is not matched to
cross join lateral (
    select clerk_owners.clerk_rank > 1
           or case when live_clerks.clerk_user_id is null then false
                   else live_clerks.holders > 1 or live_clerks.only_id is distinct from matches.live_id end as clerk_taken
) as taken

-- One row per MongoDB profile: quarantined without lumaEmail; otherwise the primary of its email
-- (verified first, then most complete, then oldest createdAt, then _id) or merged into it.
-- A clerkUserId held by two primaries stays with the earliest; later ones lose it (value_fixes).
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
             else 'merged' end as outcome,
        migration.stable_id('hello_miami', 'profiles', primaries.primary_mongo_id) as target_id
    from checked
    left join primaries on primaries.mongo_id = checked.mongo_id
),
clerk_owners as (
    select mongo_id,
           row_number() over (partition by clerk_user_id order by created_at, mongo_id) as clerk_rank
    from classified
    where outcome = 'migrated' and clerk_user_id is not null
)
select
    classified.*,
    case when clerk_owners.clerk_rank = 1 then classified.clerk_user_id end as stored_clerk_user_id,
    coalesce(clerk_owners.clerk_rank > 1, false) as clerk_user_id_taken
from classified
left join clerk_owners on clerk_owners.mongo_id = classified.mongo_id

-- One row per Airtable user: quarantined (no usable email), the primary of its email (migrated), or
-- merged into that primary (most non-empty personal fields, then oldest createdTime, then id).
-- index: airtable_id
with users as (
    select * from staging.stg_airtable__users
),
checked as (
    select
        users.*,
        case when email is null then 'missing email'
             when length(email) > 255 then 'email too long' end as quarantine_reason,
        (trim(display_name) <> '')::int + (trim(first_name) <> '')::int + (trim(last_name) <> '')::int
          + (trim(phone) <> '')::int + (trim(street_1) <> '')::int + (trim(street_2) <> '')::int
          + (trim(city) <> '')::int + (trim(state) <> '')::int + (trim(zip_code) <> '')::int
          + (trim(country) <> '')::int + (dob_text is not null and trim(dob_text) <> '')::int as completeness
    from users
),
primaries as (
    select
        airtable_id,
        first_value(airtable_id) over (
            partition by email order by completeness desc, created_time nulls last, airtable_id
        ) as primary_airtable_id
    from checked
    where quarantine_reason is null
)
select
    checked.*,
    primaries.primary_airtable_id,
    case when checked.quarantine_reason is not null then 'quarantined'
         when primaries.primary_airtable_id = checked.airtable_id then 'migrated'
         else 'merged' end as outcome,
    coalesce(live.id, migration.stable_id('podium', 'users', primaries.primary_airtable_id)) as target_id
from checked
left join primaries on primaries.airtable_id = checked.airtable_id
-- a live user of the primary's email keeps its id (SPEC §4 "Rows already live"; one per email)
left join lateral (
    select l.id from staging.stg_live_podium__users as l
    where l.email_key = checked.email and primaries.primary_airtable_id is not null order by l.id limit 1
) as live on true

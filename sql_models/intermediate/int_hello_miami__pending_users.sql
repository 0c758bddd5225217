-- One row per MongoDB pending user: without lumaAttendeeId (or email) quarantined; one per email
-- (earliest createdAt, then _id, kept; later ones merged); a lumaAttendeeId already taken by an
-- earlier kept pending user is quarantined. A pending user whose email a live one holds
-- (lower(email)) takes the live row's id (SPEC §4 "Rows already live"), and so do those merged into it.
-- index: mongo_id
with pending as (
    select * from staging.stg_mongo__pending_users
),
checked as (
    select pending.*,
           case when email is null then 'missing email'
                when luma_attendee_id is null then 'missing lumaAttendeeId' end as check_reason
    from pending
),
by_email as (
    select mongo_id,
           first_value(mongo_id) over (partition by email order by created_at, mongo_id) as kept_mongo_id
    from checked
    where check_reason is null
),
by_attendee as (
    select checked.mongo_id,
           row_number() over (partition by luma_attendee_id order by created_at, checked.mongo_id) as attendee_rank
    from checked
    join by_email on by_email.mongo_id = checked.mongo_id and by_email.kept_mongo_id = checked.mongo_id
),
classified as (
    select checked.*, by_email.kept_mongo_id,
           coalesce(check_reason, case when by_attendee.attendee_rank > 1 then 'duplicate lumaAttendeeId' end)
               as quarantine_reason
    from checked
    left join by_email on by_email.mongo_id = checked.mongo_id
    left join by_attendee on by_attendee.mongo_id = checked.mongo_id
)
select
    classified.*,
    case when quarantine_reason is not null then 'quarantined'
         when kept_mongo_id = mongo_id then 'migrated'
         else 'merged' end as outcome,
    coalesce(live.id, migration.stable_id('hello_miami', 'pending_users', kept_mongo_id)) as target_id
from classified
left join lateral (
    select l.id from staging.stg_live_hello_miami__pending_users as l
    where l.email_key = classified.email order by l.created_at, l.id limit 1
) as live on true

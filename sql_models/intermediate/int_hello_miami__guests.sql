-- Luma guests matched to members: by email against the profiles' lumaEmail, else by user_api_id or
-- api_id against a profile's lumaAttendeeId (merged profiles follow their primary). The guest's
-- attendance status is the shared reading's (staging.stg_luma__guests, migration.luma_guests).
-- index: event_api_id
with guests as (
    select * from staging.stg_luma__guests
),
members_by_email as (
    select distinct luma_email, target_id
    from intermediate.int_hello_miami__profiles
    where outcome <> 'quarantined'
),
members_by_attendee_id as (
    select luma_attendee_id, min(target_id::text)::uuid as target_id
    from intermediate.int_hello_miami__profiles
    where outcome <> 'quarantined' and luma_attendee_id is not null
    group by luma_attendee_id
)
select
    guests.*,
    coalesce(by_email.target_id, by_user_id.target_id, by_guest_id.target_id) as member_id
from guests
left join members_by_email as by_email on by_email.luma_email = guests.email
left join members_by_attendee_id as by_user_id on by_user_id.luma_attendee_id = guests.user_api_id
left join members_by_attendee_id as by_guest_id on by_guest_id.luma_attendee_id = guests.api_id

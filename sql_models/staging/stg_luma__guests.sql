-- Luma guests: both entry shapes unwrapped; email (or user_email) normalized; checked in when the
-- guest or any of its event_tickets[] carries checked_in_at (the earliest one is kept).
-- index: event_api_id
-- index: email
with raw_guests as (
    select event_api_id, api_id, record from raw_luma.guests
),
unwrapped as (
    select
        event_api_id,
        coalesce(api_id, record->>'api_id', record->'guest'->>'api_id', record->>'id') as api_id,
        case when jsonb_typeof(record->'guest') = 'object' then record->'guest' else record end as guest
    from raw_guests
)
select
    u.event_api_id,
    u.api_id,
    nullif(staging.txt(u.guest->'user_api_id'), '') as user_api_id,
    nullif(lower(trim(coalesce(staging.txt(u.guest->'email'), staging.txt(u.guest->'user_email')))), '') as email,
    staging.txt(u.guest->'name') as name,
    coalesce(staging.txt(u.guest->'approval_status'), '') as approval_status,
    staging.utc(staging.ts(u.guest->'registered_at')) as registered_at,
    staging.utc(least(
        staging.ts(u.guest->'checked_in_at'),
        (select min(staging.ts(ticket->'checked_in_at'))
           from jsonb_array_elements(case when jsonb_typeof(u.guest->'event_tickets') = 'array'
                                          then u.guest->'event_tickets' else '[]'::jsonb end) as t(ticket))
    )) as checked_in_at
from unwrapped u

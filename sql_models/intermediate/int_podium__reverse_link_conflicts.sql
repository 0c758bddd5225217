-- Where users.attending_events (the reverse link) disagrees with events.attendees (the truth for
-- event_attendees): one row per (event, user) pair present on one side only. A warning, not a rule.
with forward_links as (
    select airtable_id as event_airtable_id, user_airtable_id
    from staging.stg_airtable__events
    cross join lateral jsonb_array_elements_text(attendees) as attendee(user_airtable_id)
),
reverse_links as (
    select event_airtable_id, airtable_id as user_airtable_id
    from staging.stg_airtable__users
    cross join lateral jsonb_array_elements_text(attending_events) as attending(event_airtable_id)
)
select distinct
    coalesce(f.event_airtable_id, r.event_airtable_id) || ':' || coalesce(f.user_airtable_id, r.user_airtable_id) as key,
    case when f.event_airtable_id is not null then 'listed' else 'absent' end as left_value,
    case when r.event_airtable_id is not null then 'listed' else 'absent' end as right_value
from forward_links as f
full join reverse_links as r
  on r.event_airtable_id = f.event_airtable_id and r.user_airtable_id = f.user_airtable_id
where f.event_airtable_id is null or r.event_airtable_id is null

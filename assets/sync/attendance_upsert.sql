-- One sync's guests into the target schema's `attendance` (search_path: hello_miami, or
-- hello_miami_next before the first cutover), for the events this sync listed only (its dlt load).
-- SPEC §4: a guest is a member's attendance when its email (or user_email) matches a profile's
-- luma_email, else its user_api_id / api_id matches lumaAttendeeId. Checked in (on the guest or any
-- ticket, whatever the approval) -> 'checked-in'; approved -> 'registered'; others are not
-- attendance. A check-in already recorded stands (never back to 'registered'), and checked_in_at
-- is the earliest known. Rows that would not change are not written.
with listed_events as (
    select r.api_id as luma_event_id
      from raw_luma.events r
     where r._dlt_load_id = %(load_id)s
),
listed_guests as (
    select g.event_api_id, g.api_id as row_api_id, coalesce(g.record -> 'guest', g.record) as guest
      from raw_luma.guests g
      join listed_events e on e.luma_event_id = g.event_api_id
),
guest_states as (
    select g.event_api_id, g.row_api_id,
           lower(trim(coalesce(nullif(g.guest ->> 'email', ''), g.guest ->> 'user_email'))) as email,
           g.guest ->> 'user_api_id' as user_api_id,
           coalesce(g.guest ->> 'api_id', g.guest ->> 'id', g.row_api_id) as guest_api_id,
           g.guest ->> 'approval_status' as approval_status,
           check_ins.first_at as checked_in_at,
           check_ins.any_at as checked_in,
           migration.try_timestamptz(g.guest ->> 'registered_at') at time zone 'UTC' as registered_at
      from listed_guests g
      cross join lateral (
          select min(at) as first_at, count(at) > 0 as any_at
            from (select migration.try_timestamptz(g.guest ->> 'checked_in_at') at time zone 'UTC' as at
                  union all
                  select migration.try_timestamptz(ticket ->> 'checked_in_at') at time zone 'UTC'
                    from jsonb_array_elements(case when jsonb_typeof(g.guest -> 'event_tickets') = 'array'
                                                   then g.guest -> 'event_tickets' else '[]'::jsonb end) ticket
                 ) known_check_ins
      ) check_ins
),
matched_guests as (
    select s.*, coalesce(by_email.id, by_attendee.id) as member_id
      from guest_states s
      left join profiles by_email on lower(trim(by_email.luma_email)) = s.email
      left join lateral (
          select p.id from profiles p
           where p.luma_attendee_id in (s.user_api_id, s.guest_api_id)
           order by p.created_at, p.id
           limit 1
      ) by_attendee on by_email.id is null
),
member_attendance as (
    select member_id, event_api_id as luma_event_id,
           case when bool_or(checked_in) then 'checked-in' else 'registered' end as status,
           min(checked_in_at) as checked_in_at,
           min(registered_at) as registered_at,
           -- the row's id is its first guest's, as the dry-run keys it (int_hello_miami__attendance.sql)
           (array_agg(event_api_id || ':' || row_api_id order by registered_at, event_api_id || ':' || row_api_id))[1] as first_guest
      from matched_guests
     where member_id is not null and (checked_in or approval_status = 'approved')
     group by member_id, event_api_id
)
insert into attendance as live (id, member_id, luma_event_id, status, checked_in_at, created_at)
select migration.stable_id('hello_miami', 'attendance', a.first_guest),
       a.member_id, a.luma_event_id, a.status, a.checked_in_at, coalesce(a.registered_at, %(synced_at)s)
  from member_attendance a
on conflict (member_id, luma_event_id) do update
   set status = case when live.status = 'checked-in' or excluded.status = 'checked-in' then 'checked-in' else live.status end,
       checked_in_at = least(live.checked_in_at, excluded.checked_in_at)
 where (live.status, live.checked_in_at)
       is distinct from
       (case when live.status = 'checked-in' or excluded.status = 'checked-in' then 'checked-in' else live.status end,
        least(live.checked_in_at, excluded.checked_in_at))
returning (xmax = 0) as inserted

-- One sync's guests into the target schema's `attendance` (search_path: hello_miami, or
-- hello_miami_next before the first cutover), for the events this sync listed only (its dlt load).
-- SPEC §4: a guest is a member's attendance when its email (or user_email) matches a profile's
-- luma_email, else its user_api_id / api_id matches lumaAttendeeId. The guest and its attendance
-- status ('checked-in', 'registered', or none) are read as the dry-run reads them
-- (migrations/ddl/luma_guests.sql: migration.luma_guests, for this sync's load only); this file
-- keeps the matching against the target's profiles and the upsert. A check-in already recorded
-- stands (never back to 'registered'), and checked_in_at is the earliest known. Rows that would not
-- change are not written.
with matched_guests as (
    select g.*, coalesce(by_email.id, by_attendee.id) as member_id
      from migration.luma_guests(%(load_id)s) g
      left join profiles by_email on lower(trim(by_email.luma_email)) = g.email
      left join lateral (
          -- as the dry-run picks (int_hello_miami__guests.sql): a user_api_id match before an
          -- api_id match, then the smallest id among profiles sharing the attendee id
          select p.id from profiles p
           where p.luma_attendee_id in (g.user_api_id, g.api_id)
           order by p.luma_attendee_id is not distinct from g.user_api_id desc, p.id::text
           limit 1
      ) by_attendee on by_email.id is null
),
member_attendance as (
    select member_id, event_api_id as luma_event_id,
           case when bool_or(attendance_status = 'checked-in') then 'checked-in' else 'registered' end as status,
           min(checked_in_at) as checked_in_at,
           -- created_at as the dry-run's (sql_models/hello_miami/attendance.sql) for a guest-only row
           coalesce(min(registered_at), min(checked_in_at)) as created_at,
           -- the row's id is its first guest's, as the dry-run keys it (int_hello_miami__attendance.sql)
           (array_agg(event_api_id || ':' || api_id order by registered_at, event_api_id || ':' || api_id))[1] as first_guest
      from matched_guests
     where member_id is not null and attendance_status is not null
     group by member_id, event_api_id
)
insert into attendance as live (id, member_id, luma_event_id, status, checked_in_at, created_at)
select migration.stable_id('hello_miami', 'attendance', a.first_guest),
       a.member_id, a.luma_event_id, a.status, a.checked_in_at, coalesce(a.created_at, %(synced_at)s)
  from member_attendance a
on conflict (member_id, luma_event_id) do update
   set status = case when live.status = 'checked-in' or excluded.status = 'checked-in' then 'checked-in' else live.status end,
       checked_in_at = least(live.checked_in_at, excluded.checked_in_at)
 where (live.status, live.checked_in_at)
       is distinct from
       (case when live.status = 'checked-in' or excluded.status = 'checked-in' then 'checked-in' else live.status end,
        least(live.checked_in_at, excluded.checked_in_at))
returning (xmax = 0) as inserted

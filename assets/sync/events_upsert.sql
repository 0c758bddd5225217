-- One sync's events into the target schema's `events` (search_path is set to hello_miami, or to
-- hello_miami_next before the first cutover). Only the events this sync listed (its dlt load) are
-- touched; an unchanged event is not written at all (no new updated_at, no trigger, no WAL).
-- Luma is the truth for name, description, cover_url, url, start_at, end_at, timezone, location,
-- is_canceled and stats (SPEC §4); the rest of a row (id, created_at) stays as migrated.
with listed_events as (
    select r.api_id as luma_event_id,
           coalesce(r.record -> 'event', r.record) as event,
           r.start_at as raw_start_at
      from raw_luma.events r
     where r._dlt_load_id = %(load_id)s
),
listed_guests as (
    select g.event_api_id, coalesce(g.record -> 'guest', g.record) as guest
      from raw_luma.guests g
      join listed_events e on e.luma_event_id = g.event_api_id
),
guest_states as (
    select event_api_id,
           guest ->> 'approval_status' as approval_status,
           (guest ->> 'checked_in_at' is not null
            or exists (select 1
                         from jsonb_array_elements(case when jsonb_typeof(guest -> 'event_tickets') = 'array'
                                                        then guest -> 'event_tickets' else '[]'::jsonb end) ticket
                        where ticket ->> 'checked_in_at' is not null)) as checked_in
      from listed_guests
),
guest_stats as (
    select event_api_id,
           count(*) filter (where checked_in or approval_status = 'approved') as registered,
           count(*) filter (where checked_in) as checked_in
      from guest_states
     group by event_api_id
),
luma_values as (
    -- the same readings as the dry-run's staging (sql_models/staging/stg_luma__events.sql): a value
    -- that does not parse is null rather than an aborted sync; lat/lng are JSON numbers
    select e.luma_event_id,
           e.event ->> 'name' as name,
           e.event ->> 'description' as description,
           e.event ->> 'cover_url' as cover_url,
           e.event ->> 'url' as url,
           coalesce(migration.try_timestamptz(e.event ->> 'start_at'),
                    e.raw_start_at) at time zone 'UTC' as start_at,
           migration.try_timestamptz(e.event ->> 'end_at') at time zone 'UTC' as end_at,
           e.event ->> 'timezone' as timezone,
           case when jsonb_typeof(e.event -> 'geo_address_info') = 'object' then
               jsonb_build_object(
                   'type', e.event -> 'geo_address_info' -> 'type',
                   'name', e.event -> 'geo_address_info' -> 'place_name',
                   'address', e.event -> 'geo_address_info' -> 'address',
                   'lat', migration.try_numeric(e.event -> 'geo_address_info' ->> 'latitude'),
                   'lng', migration.try_numeric(e.event -> 'geo_address_info' ->> 'longitude'))
           end as location,
           jsonb_build_object('registered', coalesce(s.registered, 0), 'checkedIn', coalesce(s.checked_in, 0)) as stats,
           case when jsonb_typeof(e.event -> 'is_canceled') = 'boolean' then (e.event ->> 'is_canceled')::boolean end as is_canceled,
           migration.try_timestamptz(e.event ->> 'created_at') at time zone 'UTC' as luma_created_at,
           migration.try_timestamptz(e.event ->> 'updated_at') at time zone 'UTC' as luma_updated_at
      from listed_events e
      left join guest_stats s on s.event_api_id = e.luma_event_id
),
merged_values as (
    -- a field Luma leaves empty keeps the row's current value (as the dry-run keeps MongoDB's:
    -- sql_models/intermediate/int_hello_miami__events.sql); a new row gets the same defaults
    select v.luma_event_id,
           coalesce(v.name, cur.name, '') as name,
           coalesce(v.description, cur.description) as description,
           coalesce(v.cover_url, cur.cover_url) as cover_url,
           coalesce(v.url, cur.url, '') as url,
           coalesce(v.start_at, cur.start_at) as start_at,
           coalesce(v.end_at, cur.end_at) as end_at,
           coalesce(v.timezone, cur.timezone, '') as timezone,
           coalesce(v.location, cur.location) as location,
           v.stats,
           coalesce(v.is_canceled, cur.is_canceled, false) as is_canceled,
           coalesce(v.luma_created_at, v.start_at) as created_at,
           coalesce(v.luma_updated_at, v.luma_created_at, v.start_at) as updated_at
      from luma_values v
      left join events cur on cur.luma_event_id = v.luma_event_id
)
insert into events as live (id, luma_event_id, name, description, cover_url, url, start_at, end_at, timezone,
                            location, stats, is_canceled, last_synced_at, created_at, updated_at)
select migration.stable_id('hello_miami', 'events', m.luma_event_id),
       m.luma_event_id, m.name, m.description, m.cover_url, m.url, m.start_at, m.end_at, m.timezone,
       m.location, m.stats, m.is_canceled, %(synced_at)s, m.created_at, m.updated_at
  from merged_values m
on conflict (luma_event_id) do update
   set name = excluded.name,
       description = excluded.description,
       cover_url = excluded.cover_url,
       url = excluded.url,
       start_at = excluded.start_at,
       end_at = excluded.end_at,
       timezone = excluded.timezone,
       location = excluded.location,
       stats = excluded.stats,
       is_canceled = excluded.is_canceled,
       last_synced_at = excluded.last_synced_at,
       updated_at = %(synced_at)s
 where (live.name, live.description, live.cover_url, live.url, live.start_at, live.end_at, live.timezone,
        live.location, live.stats, live.is_canceled)
       is distinct from
       (excluded.name, excluded.description, excluded.cover_url, excluded.url, excluded.start_at, excluded.end_at,
        excluded.timezone, excluded.location, excluded.stats, excluded.is_canceled)
returning (xmax = 0) as inserted

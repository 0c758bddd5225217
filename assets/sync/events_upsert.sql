-- One sync's events into the target schema's `events` (search_path is set to hello_miami, or to
-- hello_miami_next before the first cutover). Only the events this sync listed (its dlt load) are
-- touched; an unchanged event is not written at all (no new updated_at, no trigger, no WAL).
-- Luma is the truth for name, description, cover_url, url, start_at, end_at, timezone, location,
-- is_canceled and stats (SPEC §4); the rest of a row (id, created_at) stays as migrated.
-- The event and its stats are read as the dry-run reads them (migration.luma_events, luma_guests
-- and the aggregate luma_stats: migrations/ddl/luma_events.sql, luma_guests.sql), for this sync's
-- load only; this file keeps the upsert.
with guest_stats as (
    select e.api_id as event_api_id, migration.luma_stats(g.attendance_status) as stats
      from migration.luma_events(%(load_id)s) e
      left join migration.luma_guests(%(load_id)s) g on g.event_api_id = e.api_id
     group by e.api_id
),
luma_values as (
    select e.*, s.stats
      from migration.luma_events(%(load_id)s) e
      join guest_stats s on s.event_api_id = e.api_id
),
merged_values as (
    -- a field Luma leaves empty keeps the row's current value, as the dry-run keeps MongoDB's
    -- (sql_models/intermediate/int_hello_miami__events.sql, same order and defaults), so a sync never
    -- reverts a value a migrated MongoDB event holds; a new row gets the same defaults
    select v.api_id as luma_event_id,
           coalesce(v.name, cur.name, '') as name,
           coalesce(v.description, cur.description) as description,
           coalesce(v.cover_url, cur.cover_url) as cover_url,
           coalesce(v.url, cur.url, '') as url,
           coalesce(v.start_at, cur.start_at, v.created_at) as start_at,
           coalesce(v.end_at, cur.end_at) as end_at,
           coalesce(v.timezone, cur.timezone, '') as timezone,
           coalesce(v.location, cur.location) as location,
           v.stats,
           coalesce(v.is_canceled, cur.is_canceled, false) as is_canceled,
           coalesce(v.created_at, v.start_at) as created_at,
           coalesce(v.updated_at, v.created_at, v.start_at) as updated_at
      from luma_values v
      left join events cur on cur.luma_event_id = v.api_id
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

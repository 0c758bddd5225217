-- The one reading of Luma (SPEC §2.3, §4): an event, a guest, a guest's attendance status and an
-- event's stats. The dry-run's models (sql_models/staging/stg_luma__*.sql,
-- intermediate/int_hello_miami__{events,guests}.sql) and the incremental sync
-- (assets/sync/*_upsert.sql) both read Luma through these, so the two cannot disagree on a rule.
-- Alembic 0006 installs this file.
--
-- load_id: null reads all of raw_luma (the dry-run); a dlt load id reads the events that load
-- listed and every guest of those events (the sync's window: a sync lists its events and their
-- guests, and merge leaves a guest Luma no longer lists with an older load id).
--
-- Set-returning SQL functions, stable and not strict, one SELECT, no SET clause: the planner
-- inlines each into the calling query as it would a view, with load_id a constant, so a sync reads
-- only its load's rows and nothing is evaluated row by row. Not views: dlt creates raw_luma's
-- tables with their first row (after this migration) and may replace them, which a view's
-- dependency would block. So the bodies are not checked at creation (Alembic 0006 turns
-- check_function_bodies off) and name every object with its schema (no search_path of their own).
-- The value readers are staging.txt / ts / utc / num / bool (ddl/json_readers.sql).

-- Luma events: both entry shapes (wrapped {"api_id", "event": {...}} and flat) unwrapped;
-- location mapped from geo_address_info to the application's {type, name, address, lat, lng}.
create or replace function migration.luma_events(load_id text default null)
returns table (api_id text, name text, description text, cover_url text, url text, start_at timestamp,
               end_at timestamp, timezone text, location jsonb, is_canceled boolean, created_at timestamp,
               updated_at timestamp)
language sql stable parallel unsafe as $fn$
    with unwrapped as (
        select
            coalesce(r.api_id, r.record->>'api_id', r.record->'event'->>'api_id', r.record->>'id') as api_id,
            case when jsonb_typeof(r.record->'event') = 'object' then r.record->'event' else r.record end as event
        from raw_luma.events as r
        where load_id is null or r._dlt_load_id = load_id
    )
    select
        api_id,
        staging.txt(event->'name'),
        staging.txt(event->'description'),
        staging.txt(event->'cover_url'),
        staging.txt(event->'url'),
        staging.utc(staging.ts(event->'start_at')),
        staging.utc(staging.ts(event->'end_at')),
        staging.txt(event->'timezone'),
        case when jsonb_typeof(event->'geo_address_info') = 'object' then jsonb_build_object(
            'type', event->'geo_address_info'->'type',
            'name', event->'geo_address_info'->'place_name',
            'address', event->'geo_address_info'->'address',
            'lat', staging.num(event->'geo_address_info'->'latitude'),
            'lng', staging.num(event->'geo_address_info'->'longitude')) end,
        staging.bool(event->'is_canceled'),
        staging.utc(staging.ts(event->'created_at')),
        staging.utc(staging.ts(event->'updated_at'))
    from unwrapped
$fn$;

-- Luma guests: both entry shapes unwrapped; email (or user_email) normalized; checked in when the
-- guest or any of its event_tickets[] carries checked_in_at (the earliest one is kept).
-- attendance_status, SPEC §4: checked-in guests (whatever their approval status) 'checked-in',
-- approved ones 'registered'; declined, waitlisted, invited and pending guests null (no attendance).
create or replace function migration.luma_guests(load_id text default null)
returns table (event_api_id text, api_id text, user_api_id text, email text, name text, approval_status text,
               registered_at timestamp, checked_in_at timestamp, attendance_status text)
language sql stable parallel unsafe as $fn$
    with unwrapped as (
        select
            g.event_api_id,
            coalesce(g.api_id, g.record->>'api_id', g.record->'guest'->>'api_id', g.record->>'id') as api_id,
            case when jsonb_typeof(g.record->'guest') = 'object' then g.record->'guest' else g.record end as guest
        from raw_luma.guests as g
        where load_id is null
           or g.event_api_id in (select e.api_id from raw_luma.events as e where e._dlt_load_id = load_id)
    ),
    guests as (
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
        from unwrapped as u
        offset 0  -- read once: the status below would otherwise repeat the check-in read
    )
    select guests.*,
           case when guests.checked_in_at is not null then 'checked-in'
                when guests.approval_status = 'approved' then 'registered' end
    from guests
$fn$;

-- An event's stats from its Luma guest list, SPEC §4: `registered` counts the guests that are
-- approved or checked in (those with an attendance status), `checkedIn` the checked-in ones.
-- An aggregate over the caller's guests (the dry-run's staging.stg_luma__guests, the sync's load),
-- so neither reads the guest list twice; {"registered": 0, "checkedIn": 0} over no guest, or over
-- the one null row an event without guests brings to a left join. The built-in array_append
-- gathers an event's statuses and the final function counts them once per event: an SQL state
-- function, called per guest, cost 5x the built-in counts (30k guests at scale 10: 0.10-0.15 s
-- against 0.02 s; this: 0.05 s).
create or replace function migration.luma_stats_of(attendance_statuses text[]) returns jsonb
language sql immutable parallel safe as $fn$
    select jsonb_build_object('registered', count(status),
                              'checkedIn', count(*) filter (where status = 'checked-in'))
    from unnest(attendance_statuses) as status
$fn$;

create or replace aggregate migration.luma_stats(attendance_status text) (
    sfunc = array_append,
    stype = text[],
    finalfunc = migration.luma_stats_of,
    initcond = '{}'
);

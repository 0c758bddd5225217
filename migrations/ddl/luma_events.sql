-- The one reading of a Luma event (SPEC §2.3, §4), for the dry-run's sql_models/staging/
-- stg_luma__events.sql and the sync's assets/sync/events_upsert.sql alike. Alembic 0006 installs
-- it, and says why a set-returning function over raw_luma (inlined by the planner) rather than a
-- view. load_id: null reads every event (the dry-run), a dlt load id the events that load listed
-- (the sync's window). The value readers are staging.txt / ts / utc / num / bool (json_readers.sql).

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

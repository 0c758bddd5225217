-- Luma events: both entry shapes (wrapped {"api_id", "event": {...}} and flat) unwrapped;
-- location mapped from geo_address_info to the application's {type, name, address, lat, lng}.
-- index: api_id
with raw_events as (
    select api_id, record from raw_luma.events
),
unwrapped as (
    select
        coalesce(api_id, record->>'api_id', record->'event'->>'api_id', record->>'id') as api_id,
        case when jsonb_typeof(record->'event') = 'object' then record->'event' else record end as event
    from raw_events
)
select
    api_id,
    staging.txt(event->'name') as name,
    staging.txt(event->'description') as description,
    staging.txt(event->'cover_url') as cover_url,
    staging.txt(event->'url') as url,
    staging.utc(staging.ts(event->'start_at')) as start_at,
    staging.utc(staging.ts(event->'end_at')) as end_at,
    staging.txt(event->'timezone') as timezone,
    case when jsonb_typeof(event->'geo_address_info') = 'object' then jsonb_build_object(
        'type', event->'geo_address_info'->'type',
        'name', event->'geo_address_info'->'place_name',
        'address', event->'geo_address_info'->'address',
        'lat', staging.num(event->'geo_address_info'->'latitude'),
        'lng', staging.num(event->'geo_address_info'->'longitude')) end as location,
    staging.bool(event->'is_canceled') as is_canceled,
    staging.utc(staging.ts(event->'created_at')) as created_at,
    staging.utc(staging.ts(event->'updated_at')) as updated_at
from unwrapped

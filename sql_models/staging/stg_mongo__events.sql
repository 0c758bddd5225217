-- Hello Miami events as MongoDB holds them (Luma's view is stg_luma__events).
-- index: mongo_id
-- index: luma_event_id
with raw_events as (
    select _id, document from raw_mongo.events
),
typed as (
    select
        lower(_id) as mongo_id,
        nullif(trim(staging.txt(document->'lumaEventId')), '') as luma_event_id,
        staging.txt(document->'name') as name,
        staging.txt(document->'description') as description,
        staging.txt(document->'coverUrl') as cover_url,
        staging.txt(document->'url') as url,
        staging.utc(staging.ts(document->'startAt')) as start_at,
        staging.utc(staging.ts(document->'endAt')) as end_at,
        staging.txt(document->'timezone') as timezone,
        case when jsonb_typeof(document->'location') = 'object' then staging.plain(document->'location') end as location,
        trunc(staging.num(document->'stats'->'registered'))::int as stats_registered,
        trunc(staging.num(document->'stats'->'checkedIn'))::int as stats_checked_in,
        coalesce(staging.bool(document->'isCanceled'), false) as is_canceled,
        staging.utc(staging.ts(document->'lastSyncedAt')) as last_synced_at,
        staging.utc(coalesce(staging.ts(document->'createdAt'), staging.oid_time(_id))) as created_at,
        staging.utc(staging.ts(document->'updatedAt')) as updated_at_raw
    from raw_events
)
select mongo_id, luma_event_id, name, description, cover_url, url, start_at, end_at, timezone,
       location, stats_registered, stats_checked_in, is_canceled, last_synced_at,
       created_at, coalesce(updated_at_raw, created_at) as updated_at
from typed

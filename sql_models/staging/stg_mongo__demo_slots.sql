-- Hello Miami demo slots: eventId is an ObjectId of a MongoDB event (resolved via its lumaEventId).
-- index: mongo_id
with raw_demo_slots as (
    select _id, document from raw_mongo.demo_slots
),
typed as (
    select
        lower(_id) as mongo_id,
        staging.oid(document->'memberId') as member_mongo_id,
        staging.oid(document->'eventId') as event_mongo_id,
        coalesce(staging.txt(document->'title'), '') as title,
        staging.txt(document->'description') as description,
        staging.txt(document->'requestedTime') as requested_time,
        coalesce(staging.int4(document->'durationMinutes'), 5) as duration_minutes,
        coalesce(staging.txt(document->'status'), 'pending') as status,
        coalesce(staging.bool(document->'confirmedByOrganizer'), false) as confirmed_by_organizer,
        staging.utc(coalesce(dates."createdAt", staging.oid_time(_id))) as created_at,
        staging.utc(dates."updatedAt") as updated_at_raw,
        document, dates.*
    from raw_demo_slots
    cross join lateral (select staging.ts(document->'createdAt') as "createdAt", staging.ts(document->'updatedAt') as "updatedAt" offset 0) as dates
)
select mongo_id, member_mongo_id, event_mongo_id, title, description, requested_time, duration_minutes,
       status, confirmed_by_organizer, created_at, updated_at,
       array_remove(array[
           staging.text_fix('title', document->'title', title),
           staging.text_fix('description', document->'description', null),
           staging.text_fix('requestedTime', document->'requestedTime', null),
           staging.int_fix('durationMinutes', document->'durationMinutes', duration_minutes::text),
           staging.text_fix('status', document->'status', status),
           staging.bool_fix('confirmedByOrganizer', document->'confirmedByOrganizer', confirmed_by_organizer::text),
           staging.date_fix('createdAt', document->'createdAt', "createdAt", created_at::text),
           staging.date_fix('updatedAt', document->'updatedAt', "updatedAt", updated_at::text)
       ], null) as fixes
from (select typed.*, coalesce(updated_at_raw, created_at) as updated_at from typed) as typed

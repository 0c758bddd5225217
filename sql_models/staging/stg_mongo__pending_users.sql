-- Hello Miami pending users (subscribed, not yet approved members).
-- index: mongo_id
with raw_pending_users as (
    select _id, document from raw_mongo.pending_users
),
typed as (
    select
        lower(_id) as mongo_id,
        nullif(lower(trim(staging.txt(document->'email'))), '') as email,
        coalesce(staging.txt(document->'name'), '') as name,
        nullif(trim(staging.txt(document->'lumaAttendeeId')), '') as luma_attendee_id,
        staging.utc(dates."subscribedAt") as subscribed_at_raw,
        staging.utc(dates."approvedAt") as approved_at,
        staging.utc(coalesce(dates."createdAt", staging.oid_time(_id))) as created_at,
        staging.utc(dates."updatedAt") as updated_at_raw,
        document, dates.*
    from raw_pending_users
    cross join lateral (select staging.ts(document->'subscribedAt') as "subscribedAt", staging.ts(document->'approvedAt') as "approvedAt", staging.ts(document->'createdAt') as "createdAt", staging.ts(document->'updatedAt') as "updatedAt" offset 0) as dates
)
select mongo_id, email, name, luma_attendee_id, subscribed_at, approved_at, created_at, updated_at,
       array_remove(array[
           staging.text_fix('name', document->'name', name),
           staging.date_fix('subscribedAt', document->'subscribedAt', "subscribedAt", subscribed_at::text),
           staging.date_fix('approvedAt', document->'approvedAt', "approvedAt", null),
           staging.date_fix('createdAt', document->'createdAt', "createdAt", created_at::text),
           staging.date_fix('updatedAt', document->'updatedAt', "updatedAt", updated_at::text)
       ], null) as fixes
from (select typed.*, coalesce(updated_at_raw, created_at) as updated_at,
             coalesce(subscribed_at_raw, created_at) as subscribed_at from typed) as typed

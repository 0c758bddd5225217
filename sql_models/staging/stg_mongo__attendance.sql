-- Hello Miami attendance: lumaEventId is a Luma id string, not a reference. `fixes`: see staging.fix_if.
-- index: mongo_id
with raw_attendance as (
    select _id, document from raw_mongo.attendance
),
typed as (
    select
        lower(_id) as mongo_id,
        staging.oid(document->'memberId') as member_mongo_id,
        nullif(trim(staging.txt(document->'lumaEventId')), '') as luma_event_id,
        coalesce(staging.txt(document->'status'), 'registered') as status,
        staging.utc(dates."checkedInAt") as checked_in_at,
        staging.utc(coalesce(dates."createdAt", staging.oid_time(_id))) as created_at,
        document, dates.*
    from raw_attendance
    cross join lateral (select staging.ts(document->'checkedInAt') as "checkedInAt", staging.ts(document->'createdAt') as "createdAt" offset 0) as dates
)
select mongo_id, member_mongo_id, luma_event_id, status, checked_in_at, created_at,
       array_remove(array[
           staging.text_fix('status', document->'status', status),
           staging.date_fix('checkedInAt', document->'checkedInAt', "checkedInAt", null),
           staging.date_fix('createdAt', document->'createdAt', "createdAt", created_at::text)
       ], null) as fixes
from typed

-- Hello Miami attendance: lumaEventId is a Luma id string, not a reference.
-- index: mongo_id
with raw_attendance as (
    select _id, document from raw_mongo.attendance
)
select
    lower(_id) as mongo_id,
    staging.oid(document->'memberId') as member_mongo_id,
    nullif(trim(staging.txt(document->'lumaEventId')), '') as luma_event_id,
    coalesce(staging.txt(document->'status'), 'registered') as status,
    staging.utc(staging.ts(document->'checkedInAt')) as checked_in_at,
    staging.utc(coalesce(staging.ts(document->'createdAt'), staging.oid_time(_id))) as created_at
from raw_attendance

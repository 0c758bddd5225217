-- Hello Miami badges: iconAscii, or the older documents' `icon`.
-- index: mongo_id
with raw_badges as (
    select _id, document from raw_mongo.badges
)
select
    lower(_id) as mongo_id,
    staging.txt(document->'name') as name,
    staging.txt(document->'iconAscii') as icon_ascii_raw,
    staging.txt(document->'icon') as icon_raw,
    staging.txt(document->'criteria') as criteria,
    staging.utc(coalesce(staging.ts(document->'createdAt'), staging.oid_time(_id))) as created_at
from raw_badges

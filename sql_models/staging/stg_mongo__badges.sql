-- Hello Miami badges: iconAscii, or the older documents' `icon`. `fixes`: see staging.fix_if.
-- index: mongo_id
with raw_badges as (
    select _id, document from raw_mongo.badges
),
typed as (
    select
        lower(_id) as mongo_id,
        staging.txt(document->'name') as name,
        staging.txt(document->'iconAscii') as icon_ascii_raw,
        staging.txt(document->'icon') as icon_raw,
        staging.txt(document->'criteria') as criteria,
        staging.utc(coalesce(dates."createdAt", staging.oid_time(_id))) as created_at,
        document, dates.*
    from raw_badges
    cross join lateral (select staging.ts(document->'createdAt') as "createdAt" offset 0) as dates
)
select mongo_id, name, icon_ascii_raw, icon_raw, criteria, created_at,
       array_remove(array[
           staging.text_fix('criteria', document->'criteria', ''),
           staging.date_fix('createdAt', document->'createdAt', "createdAt", created_at::text)
       ], null) as fixes
from typed

-- Hello Miami surveys.
-- index: mongo_id
with raw_surveys as (
    select _id, document from raw_mongo.surveys
),
typed as (
    select
        lower(_id) as mongo_id,
        nullif(trim(staging.txt(document->'slug')), '') as slug,
        coalesce(staging.txt(document->'title'), '') as title,
        coalesce(staging.txt(document->'description'), '') as description,
        coalesce(staging.txt(document->'type'), '') as type,
        coalesce(staging.bool(document->'isActive'), true) as is_active,
        staging.arr(staging.plain(document->'questions')) as questions,
        staging.utc(coalesce(dates."createdAt", staging.oid_time(_id))) as created_at,
        staging.utc(dates."updatedAt") as updated_at_raw,
        document, dates.*
    from raw_surveys
    cross join lateral (select staging.ts(document->'createdAt') as "createdAt", staging.ts(document->'updatedAt') as "updatedAt" offset 0) as dates
)
select mongo_id, slug, title, description, type, is_active, questions, created_at, updated_at,
       array_remove(array[
           staging.text_fix('title', document->'title', title),
           staging.text_fix('description', document->'description', description),
           staging.text_fix('type', document->'type', type),
           staging.bool_fix('isActive', document->'isActive', is_active::text),
           staging.arr_fix('questions', document->'questions'),
           staging.date_fix('createdAt', document->'createdAt', "createdAt", created_at::text),
           staging.date_fix('updatedAt', document->'updatedAt', "updatedAt", updated_at::text)
       ], null) as fixes
from (select typed.*, coalesce(updated_at_raw, created_at) as updated_at from typed) as typed

-- Hello Miami projects (member showcase).
-- index: mongo_id
with raw_projects as (
    select _id, document from raw_mongo.projects
),
typed as (
    select
        lower(_id) as mongo_id,
        staging.oid(document->'memberId') as member_mongo_id,
        staging.txt(document->'title') as title,
        staging.txt(document->'description') as description,
        staging.arr(document->'tags') as tags,
        staging.arr(document->'imageUrls') as image_urls,
        staging.txt(document->'githubUrl') as github_url,
        staging.txt(document->'publicUrl') as public_url,
        staging.utc(coalesce(dates."createdAt", staging.oid_time(_id))) as created_at,
        staging.utc(dates."updatedAt") as updated_at_raw,
        document, dates.*
    from raw_projects
    cross join lateral (select staging.ts(document->'createdAt') as "createdAt", staging.ts(document->'updatedAt') as "updatedAt" offset 0) as dates
)
select mongo_id, member_mongo_id, title, description, tags, image_urls, github_url, public_url,
       created_at, updated_at,
       array_remove(array[
           staging.text_fix('description', document->'description', null),
           staging.text_fix('githubUrl', document->'githubUrl', null),
           staging.text_fix('publicUrl', document->'publicUrl', null),
           staging.arr_fix('tags', document->'tags'),
           staging.arr_fix('imageUrls', document->'imageUrls'),
           staging.date_fix('createdAt', document->'createdAt', "createdAt", created_at::text),
           staging.date_fix('updatedAt', document->'updatedAt', "updatedAt", updated_at::text)
       ], null) as fixes
from (select typed.*, coalesce(updated_at_raw, created_at) as updated_at from typed) as typed

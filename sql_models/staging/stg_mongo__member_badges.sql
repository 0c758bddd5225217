-- Hello Miami badge awards. `fixes`: see staging.fix_if.
-- index: mongo_id
with raw_member_badges as (
    select _id, document from raw_mongo.member_badges
),
typed as (
    select
        lower(_id) as mongo_id,
        staging.oid(document->'memberId') as member_mongo_id,
        staging.oid(document->'badgeId') as badge_mongo_id,
        staging.utc(coalesce(dates."awardedAt", dates."createdAt", staging.oid_time(_id)))
            as awarded_at,
        staging.utc(coalesce(dates."createdAt", staging.oid_time(_id))) as created_at,
        document, dates.*
    from raw_member_badges
    cross join lateral (select staging.ts(document->'awardedAt') as "awardedAt", staging.ts(document->'createdAt') as "createdAt" offset 0) as dates
)
select mongo_id, member_mongo_id, badge_mongo_id, awarded_at, created_at,
       array_remove(array[
           staging.date_fix('awardedAt', document->'awardedAt', "awardedAt", awarded_at::text),
           staging.date_fix('createdAt', document->'createdAt', "createdAt", created_at::text)
       ], null) as fixes
from typed

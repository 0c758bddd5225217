-- Hello Miami badge awards.
-- index: mongo_id
with raw_member_badges as (
    select _id, document from raw_mongo.member_badges
)
select
    lower(_id) as mongo_id,
    staging.oid(document->'memberId') as member_mongo_id,
    staging.oid(document->'badgeId') as badge_mongo_id,
    staging.utc(coalesce(staging.ts(document->'awardedAt'), staging.ts(document->'createdAt'), staging.oid_time(_id)))
        as awarded_at,
    staging.utc(coalesce(staging.ts(document->'createdAt'), staging.oid_time(_id))) as created_at
from raw_member_badges

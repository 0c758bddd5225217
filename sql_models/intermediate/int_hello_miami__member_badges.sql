-- One row per MongoDB badge award: member and badge must have migrated; one award per
-- (member, badge) after re-pointing (earliest awardedAt, then _id, kept; others merged).
-- member_badges has no id column; the lineage id is the kept award's stable id.
-- index: mongo_id
with awards as (
    select * from staging.stg_mongo__member_badges
),
checked as (
    select
        awards.*,
        members.target_id as member_id,
        badges.target_id as badge_id,
        case when awards.member_mongo_id is null or members.mongo_id is null then 'memberId not found'
             when members.outcome = 'quarantined' then 'memberId not migrated'
             when awards.badge_mongo_id is null or badges.mongo_id is null then 'badgeId not found'
             when badges.outcome = 'quarantined' then 'badgeId not migrated' end as quarantine_reason
    from awards
    left join intermediate.int_hello_miami__members as members on members.mongo_id = awards.member_mongo_id
    left join intermediate.int_hello_miami__badges as badges on badges.mongo_id = awards.badge_mongo_id
),
kept as (
    select mongo_id,
           first_value(mongo_id) over (partition by member_id, badge_id order by awarded_at, mongo_id) as kept_mongo_id
    from checked
    where quarantine_reason is null
)
select
    checked.*,
    kept.kept_mongo_id,
    case when checked.quarantine_reason is not null then 'quarantined'
         when kept.kept_mongo_id = checked.mongo_id then 'migrated'
         else 'merged' end as outcome,
    migration.stable_id('hello_miami', 'member_badges', kept.kept_mongo_id) as target_id
from checked
left join kept on kept.mongo_id = checked.mongo_id

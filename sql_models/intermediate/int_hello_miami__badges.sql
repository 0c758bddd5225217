-- One row per MongoDB badge: icon_ascii falls back to the older `icon`, then ''; a duplicate name
-- is kept by the earliest badge, later ones are quarantined. A kept badge whose name a live badge
-- holds takes the live row's id (SPEC §4 "Rows already live"), so awards point at it.
-- index: mongo_id
with badges as (
    select * from staging.stg_mongo__badges
),
checked as (
    select
        badges.*,
        coalesce(nullif(icon_ascii_raw, ''), nullif(icon_raw, ''), '') as icon_ascii,
        row_number() over (partition by name order by created_at, mongo_id) as name_rank
    from badges
)
select
    checked.*,
    case when checked.name is null then 'missing name'
         when name_rank > 1 then 'duplicate name' end as quarantine_reason,
    case when checked.name is null or name_rank > 1 then 'quarantined' else 'migrated' end as outcome,
    case when checked.name is not null and name_rank = 1
         then coalesce(live.id, migration.stable_id('hello_miami', 'badges', mongo_id)) end as target_id
from checked
left join staging.stg_live_hello_miami__badges as live on live.name = checked.name

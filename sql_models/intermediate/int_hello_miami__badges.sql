-- One row per MongoDB badge: icon_ascii falls back to the older `icon`, then ''; a duplicate name
-- is kept by the earliest badge, later ones are quarantined.
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
    case when name is null then 'missing name'
         when name_rank > 1 then 'duplicate name' end as quarantine_reason,
    case when name is null or name_rank > 1 then 'quarantined' else 'migrated' end as outcome,
    case when name is not null and name_rank = 1 then migration.stable_id('hello_miami', 'badges', mongo_id) end as target_id
from checked

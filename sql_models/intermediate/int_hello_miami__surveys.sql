-- One row per MongoDB survey: a slug is kept by the earliest survey; later ones are quarantined. A
-- kept survey whose slug a live survey holds takes the live row's id (SPEC §4 "Rows already live"),
-- so responses point at it.
-- index: mongo_id
with surveys as (
    select * from staging.stg_mongo__surveys
),
checked as (
    select surveys.*,
           row_number() over (partition by slug order by created_at, mongo_id) as slug_rank
    from surveys
)
select
    checked.*,
    case when checked.slug is null then 'missing slug' when slug_rank > 1 then 'duplicate slug' end as quarantine_reason,
    case when checked.slug is null or slug_rank > 1 then 'quarantined' else 'migrated' end as outcome,
    case when checked.slug is not null and slug_rank = 1
         then coalesce(live.id, migration.stable_id('hello_miami', 'surveys', mongo_id)) end as target_id
from checked
left join staging.stg_live_hello_miami__surveys as live on live.slug = checked.slug

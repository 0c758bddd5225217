-- One row per MongoDB survey: a slug is kept by the earliest survey; later ones are quarantined.
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
    case when slug is null then 'missing slug' when slug_rank > 1 then 'duplicate slug' end as quarantine_reason,
    case when slug is null or slug_rank > 1 then 'quarantined' else 'migrated' end as outcome,
    case when slug is not null and slug_rank = 1 then migration.stable_id('hello_miami', 'surveys', mongo_id) end as target_id
from checked

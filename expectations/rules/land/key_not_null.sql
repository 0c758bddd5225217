-- name: {label} not null
-- severity: error
-- description: Every landed record has its key (the registry's key columns of the raw table).
-- Raw tables differ in bookkeeping columns (dlt's _dlt_id is absent from Arrow-landed ones), so a
-- row without its key is named by a hash of the whole row.
-- {null_sql}: some key column is null; {detail}: '<label> is null' (a literal).
select 'row ' || left(md5(r::text), 12) as key, {detail} as detail
  from (select * from {batch}) as r where {null_sql}

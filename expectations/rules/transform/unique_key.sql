-- name: unique ({names})
-- severity: error
-- description: A unique constraint of the live application schema holds on the candidate table
-- description: (rows with a null in it are exempt, as in PostgreSQL).
-- {key}: the row's primary key as text; {col_list}: the unique columns (quoted); {names}: the same, plain;
-- {not_null}: none of them is null.
select string_agg({key}, ', ') as key, count(*) || ' rows share one ({names})' as detail
  from {batch} where {not_null} group by {col_list} having count(*) > 1

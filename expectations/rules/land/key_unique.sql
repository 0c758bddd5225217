-- name: {label} unique
-- severity: error
-- description: No two landed records of a raw table share its key; one grouped scan, where GX's
-- description: column expectations would issue several queries.
-- {key_sql}: the key as text; {cols}: the key columns; {null_sql}: some key column is null.
select {key_sql} as key, count(*) || ' records share this key' as detail
  from (select * from {batch}) as r where not ({null_sql}) group by {cols} having count(*) > 1

-- name: primary key ({pk}) unique and not null
-- severity: error
-- description: The candidate table's primary key, as the live application schema declares it,
-- description: holds: no two rows share it and no row lacks it.
-- {key}: the key as text; {cols}: the key columns (quoted).
select min({key}) as key,
       case when bool_or(({cols}) is null) then count(*) || ' rows without a key' else count(*) || ' rows share this key' end as detail
  from {batch}
 group by {cols} having count(*) > 1 or bool_or(({cols}) is null)

-- name: foreign key ({names}) -> {parent}
-- severity: error
-- description: A foreign key of the live application schema resolves within the candidate schema.
-- {key}: child row `c`'s primary key as text; {detail}: '<cols> not found in <parent>' (a literal);
-- {present}: the child's key columns are all set; {parent_table}: the candidate parent (quoted);
-- {join}: parent row `p` matches child row `c`.
select {key} as key, {detail} as detail
  from (select * from {batch}) as c
 where {present} and not exists (select 1 from {parent_table} as p where {join})

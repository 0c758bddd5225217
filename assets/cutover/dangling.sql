-- Rows of {child} whose foreign key {matches} finds no row of {parent}: how many. A key with a
-- null column is not checked (MATCH SIMPLE, as PostgreSQL does); one anti-join per constraint.
select count(*)
  from {child} c
 where {present}
   and not exists (select 1 from {parent} p where {matches})

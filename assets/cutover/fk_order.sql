-- Foreign keys between the tables of one schema, as (child, parent) pairs: the order in which the
-- cutover deletes (children first) and inserts (parents first). A table referencing itself is left
-- out (its rows go in one statement, which PostgreSQL checks at the statement's end).
select distinct child.relname as child, parent.relname as parent
  from pg_constraint k
  join pg_class child on child.oid = k.conrelid
  join pg_class parent on parent.oid = k.confrelid
  join pg_namespace n on n.oid = child.relnamespace
 where k.contype = 'f'
   and n.nspname = %(schema)s
   and parent.relnamespace = child.relnamespace
   and k.conrelid <> k.confrelid

-- The foreign keys among the tables of one schema, each with its columns in key order: the order in
-- which the cutover deletes (children first) and inserts (parents first), and what it
-- checks itself, set-based, where PostgreSQL's own per-row checks are off or would come too
-- late (assets/cutover/foreign_keys.py).
select k.conname, child.relname, parent.relname,
       array(select a.attname from unnest(k.conkey) with ordinality u(attnum, i)
               join pg_attribute a on a.attrelid = k.conrelid and a.attnum = u.attnum order by u.i),
       array(select a.attname from unnest(k.confkey) with ordinality u(attnum, i)
               join pg_attribute a on a.attrelid = k.confrelid and a.attnum = u.attnum order by u.i)
  from pg_constraint k
  join pg_class child on child.oid = k.conrelid
  join pg_class parent on parent.oid = k.confrelid
  join pg_namespace n on n.oid = child.relnamespace
 where k.contype = 'f'
   and n.nspname = %(schema)s
   and parent.relnamespace = child.relnamespace
 order by child.relname, k.conname

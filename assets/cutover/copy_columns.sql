-- The columns a copy into %(schema)s.%(table)s writes: the live table's own columns (generated
-- ones excepted: PostgreSQL computes them) that the source table also has, in the live order.
select a.attname
  from pg_attribute a
  join pg_class c on c.oid = a.attrelid
  join pg_namespace n on n.oid = c.relnamespace
 where n.nspname = %(schema)s and c.relname = %(table)s
   and a.attnum > 0 and not a.attisdropped and a.attgenerated = ''
   and exists (select 1
                 from pg_attribute s
                 join pg_class sc on sc.oid = s.attrelid
                 join pg_namespace sn on sn.oid = sc.relnamespace
                where sn.nspname = %(source)s and sc.relname = %(table)s
                  and s.attname = a.attname and s.attnum > 0 and not s.attisdropped)
 order by a.attnum

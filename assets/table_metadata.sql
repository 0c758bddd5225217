-- The columns of one table (the parameter: schema.table), in order: name, type as PostgreSQL prints it, not null.
select a.attname::text, format_type(a.atttypid, a.atttypmod), a.attnotnull
  from pg_attribute a
 where a.attrelid = %s::regclass and a.attnum > 0 and not a.attisdropped
 order by a.attnum

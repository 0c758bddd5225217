-- The application's own enabled triggers on the tables a copy writes (not the internal ones that
-- enforce foreign keys, nor the cutover's write counters), each with how it is enabled:
-- O (origin, the default), A (always), R (replica); ALTER TABLE … ENABLE puts it back the same way.
select c.relname, t.tgname, t.tgenabled
  from pg_trigger t
  join pg_class c on c.oid = t.tgrelid
  join pg_namespace n on n.oid = c.relnamespace
 where n.nspname = %(schema)s and c.relname = any(%(tables)s)
   and not t.tgisinternal and t.tgenabled <> 'D' and t.tgname not like %(ours)s
 order by c.relname, t.tgname

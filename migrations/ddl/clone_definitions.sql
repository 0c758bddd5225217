-- The keys, checks, foreign keys and indexes of the live tables (parameters: the live schema, the
-- table names), as the statements that recreate them by name: keys and checks first, then foreign keys (they need the
-- referenced keys), then the indexes not backing a constraint. Run by reset_candidate_schema with
-- the search path on the live schema, so the definitions name the live tables unqualified.
with tables as (
  select c.oid, c.relname
    from pg_class c join pg_namespace n on n.oid = c.relnamespace
   where n.nspname = %s and c.relkind in ('r', 'p') and c.relname = any(%s)
)
select statement
  from (
    select case con.contype when 'f' then 2 else 1 end as step, t.relname, con.conname as name,
           format('alter table %%I add constraint %%I %%s', t.relname, con.conname, pg_get_constraintdef(con.oid)) as statement
      from pg_constraint con join tables t on t.oid = con.conrelid
     where con.contype in ('p', 'u', 'x', 'c', 'f')
    union all
    select 3, t.relname, i.relname, pg_get_indexdef(x.indexrelid)
      from pg_index x join tables t on t.oid = x.indrelid join pg_class i on i.oid = x.indexrelid
     where not exists (select 1 from pg_constraint con where con.conindid = x.indexrelid and con.conrelid = x.indrelid)
  ) as definitions
 order by step, relname, name

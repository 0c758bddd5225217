-- The target gate's catalog half: each column a candidate model produces against the live table's
-- column of that name (parameters: the live schema, the models' tables, and per produced column its
-- table, name and type oid). One row per mismatch (`problem`), and one per varchar(n) / char(n)
-- column the model fills (`width`), whose longest value the caller then measures over the model.
-- A type can hold the model's when it is the same, when an implicit or assignment cast exists (what
-- `insert ... select` applies), or when it is a string type (assignment converts anything to text).
with produced as (
  select * from unnest(%(tables)s::text[], %(columns)s::text[], %(types)s::oid[]) as p(table_name, column_name, type_oid)
), live as (
  select c.relname::text as table_name, a.attname::text as column_name, a.atttypid as type_oid,
         format_type(a.atttypid, a.atttypmod) as type_name,
         a.attnotnull and not a.atthasdef and a.attidentity = '' and a.attgenerated = '' as required,
         case when a.atttypid in ('varchar'::regtype, 'bpchar'::regtype) and a.atttypmod > 4 then a.atttypmod - 4 end as width
    from pg_attribute a join pg_class c on c.oid = a.attrelid
   where c.relnamespace = %(schema)s::regnamespace and c.relkind in ('r', 'p') and c.relname = any(%(models)s)
     and a.attnum > 0 and not a.attisdropped
), judged as (
  select coalesce(p.table_name, l.table_name) as table_name, coalesce(p.column_name, l.column_name) as column_name,
         case
           when l.column_name is null then 'the model fills it, the table has no such column'
           when p.column_name is null and l.required then 'NOT NULL without default, and no model fills it'
           when p.column_name is not null and p.type_oid <> l.type_oid
            and not exists (select from pg_cast k where k.castsource = p.type_oid and k.casttarget = l.type_oid and k.castcontext in ('i', 'a'))
            and (select t.typcategory from pg_type t where t.oid = l.type_oid) <> 'S'
             then format('%%s cannot hold the model''s %%s', l.type_name, format_type(p.type_oid, null))
         end as problem,
         case when p.column_name is not null then l.width end as width, l.type_name
    from produced p full join live l on l.table_name = p.table_name and l.column_name = p.column_name
)
select table_name, column_name, problem, width, type_name
  from judged
 where problem is not null or width is not null
 order by table_name, column_name

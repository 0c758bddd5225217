-- name: mapped fields occur in the records
-- severity: warning
-- description: Without a source schema, every field the models read occurs in some landed record.
-- description: A warning: a field empty everywhere is absent from every record.
-- {source_table}: the source table (a literal); {mapped}: its (table, field) rows from the registry;
-- {probe}: record `r` holds field `m.fld` (in its record column, or under its wrapper).
select {source_table} || '.' || m.fld as key, 'read by the mapping, present in no record' as detail
  from {mapped} as m(tbl, fld)
 where exists (select 1 from {batch}) and not exists (select 1 from (select * from {batch}) as r where {probe})

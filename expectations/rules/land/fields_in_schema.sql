-- name: mapped fields exist in the source schema
-- severity: error
-- description: Every Airtable field the models read exists in the base's schema (SPEC §2: the
-- description: original backfill read `feature_flags`, which did not exist).
-- {missing}: (table, field) rows the mapping reads and the schema lacks, computed in Python from
-- the schema file or the meta API.
select m.tbl || '.' || m.fld as key, 'read by the mapping, missing from the Airtable base schema' as detail
  from {missing} as m(tbl, fld)

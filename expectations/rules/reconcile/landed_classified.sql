-- name: every landed record is migrated, merged or quarantined
-- severity: error
-- description: Key-level anti-join raw -> classification: a landed record the models dropped is
-- description: named by its key, not only counted.
-- {raw_keys}: (source_table, source_id) of every landed record, one union part per registry table;
-- {classified}: the application's classification rows.
with raw_keys as ({raw_keys}), classified as ({classified})
select k.source_table || ':' || k.source_id as key, 'landed but neither migrated, merged nor quarantined' as detail
  from raw_keys as k where not exists (select 1 from classified as c
 where c.source_table = k.source_table and c.source_id = k.source_id)

-- name: every classified record was landed
-- severity: error
-- description: Key-level anti-join classification -> raw: a classification row without a landed
-- description: record is a phantom, also in a raw table that holds no row.
-- {landed_tables}: every source table whose raw table exists (literals).
with raw_keys as ({raw_keys}), classified as ({classified})
select c.source_table || ':' || c.source_id as key, 'classified but never landed' as detail from classified as c
 where c.source_table in ({landed_tables})
   and not exists (select 1 from raw_keys as k where k.source_table = c.source_table and k.source_id = c.source_id)

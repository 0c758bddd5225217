-- name: every migrated record has its candidate row
-- severity: error
-- description: Every lineage row of the run points at an existing candidate row: a migrated
-- description: record silently dropped from a candidate table fails here.
-- {has_row}: the candidate row of lineage row `l` (by id, or through the model's natural key).
select l.source || '.' || l.source_table || ':' || l.source_id as key,
       'lineage points at ' || l.target_id || ', no such row in {candidate}' as detail
  from (select * from {batch}) as l where l.run_id = {run} and l.target_table = {target}
   and not exists ({has_row})

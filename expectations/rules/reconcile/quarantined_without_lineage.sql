-- name: a quarantined record has no lineage
-- severity: error
-- description: A record quarantined in this run leads to no target row.
select q.source || '.' || q.source_table || ':' || q.source_id as key, 'quarantined and in the lineage' as detail
  from migration.quarantine as q join (select * from {batch}) as l on l.source = q.source and l.source_table = q.source_table
   and l.source_id = q.source_id and l.run_id = {run} where q.run_id = {run} and q.source in ({sources})

-- name: quarantine under its ceiling
-- severity: error
-- description: Each source table quarantines at most its ceiling's share of the records
-- description: (CUTOVER_QUARANTINE_CEILING, or the table's override in CUTOVER_QUARANTINE_CEILINGS).
-- {ceilings}: (source, table, ceiling) rows of the overrides; {default}: the default ceiling.
select l.source || '.' || l.source_table as key,
       format('%s of %s quarantined (%s%%), ceiling %s%%', l.quarantined, l.source_count,
              round(100.0 * l.quarantined / l.source_count, 1), trim_scale(round(100 * coalesce(o.ceiling::numeric, {default}), 4))) as detail
  from (select * from {batch}) as l left join {ceilings} as o(src, tbl, ceiling) on o.src = l.source and o.tbl = l.source_table
 where l.run_id = {run} and l.source in ({sources}) and l.source_count > 0
   and l.quarantined > coalesce(o.ceiling::numeric, {default}) * l.source_count

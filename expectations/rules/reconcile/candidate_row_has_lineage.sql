-- name: every candidate row has a source record
-- severity: error
-- description: Every candidate row is the target of some source record of the run.
-- {key}: the row's key as text; {has_lineage}: lineage row `l` leads to candidate row `t`.
select {key} as key, 'no source record of this run leads to this row' as detail from {candidate} as t
 where not exists (select 1 from (select * from {batch}) as l where l.run_id = {run} and l.target_table = {target} and {has_lineage})

-- name: every candidate row has a source record
-- severity: error
-- description: Every candidate row is the target of some source record of the run, or is a row
-- description: the application already held (landed from its live table, SPEC §4).
-- {key}: the row's key as text; {has_lineage}: lineage row `l` leads to candidate row `t`, through
-- {via} (empty, or the join from `l` to the model that holds a natural-keyed table's target ids, so
-- the planner can hash the anti-join instead of testing every row against every lineage row).
-- {live}: empty, or the condition that the row is not one the dry-run landed from the live table.
select {key} as key, 'no source record of this run leads to this row' as detail from {candidate} as t
 where not exists (select 1 from (select * from {batch}) as l {via} where l.run_id = {run} and l.target_table = {target} and {has_lineage})
   {live}

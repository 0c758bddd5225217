-- name: every row already live is kept
-- severity: error
-- description: Every row the application's table held when the dry-run landed it (raw_live_<app>)
-- description: has its id among the candidates (SPEC §4 "Rows already live"): otherwise the cutover
-- description: would delete a row the application wrote. Live before = kept + merged; a source
-- description: record matched to a live row takes its id, and no live row is merged into another
-- description: (pipelines/live), so every live row must be kept.
select l.id::text as key, 'live row not among the candidates of {candidate}' as detail
  from (select * from {batch}) as l
 where not exists (select 1 from {candidate} as t where t.id = l.id)

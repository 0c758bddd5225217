-- name: every row already live is kept
-- severity: error
-- description: Every row the application's table held when the dry-run landed it (raw_live_<app>)
-- description: has its id (member_badges: its member_id and badge_id) among the candidates (SPEC §4
-- description: "Rows already live"): otherwise the cutover would delete a row the application
-- description: wrote. Live before = kept + merged; a source record matched to a live row takes
-- description: its id, and no live row is merged into another (pipelines/live), so every live row
-- description: must be kept.
select {key} as key, 'live row not among the candidates of {candidate}' as detail
  from (select * from {batch}) as l
 where not exists (select 1 from {candidate} as t where {same})

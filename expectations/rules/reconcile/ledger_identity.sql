-- name: source = migrated + merged + quarantined
-- severity: error
-- description: SPEC §4/§5 count identity of every source table of the run, both ways: every
-- description: record the source reported was landed, and migrated, merged or quarantined.
-- {run}: the run id (a literal); {sources}: the application's sources (literals).
select l.source || '.' || l.source_table as key,
       format('source %s, landed %s, but migrated %s + merged %s + quarantined %s = %s', l.source_count, l.landed,
              l.migrated, l.merged, l.quarantined, coalesce(l.migrated, 0) + coalesce(l.merged, 0) + coalesce(l.quarantined, 0)) as detail
  from (select * from {batch}) as l where l.run_id = {run} and l.source in ({sources})
   and (l.source_count is distinct from coalesce(l.migrated, 0) + coalesce(l.merged, 0) + coalesce(l.quarantined, 0)
   or l.landed is distinct from l.source_count)

-- The latest dry-run before %(run_id)s that covered application %(app)s: a run of one of its jobs
-- (%(jobs)s) whose count ledger holds the application's sources (%(sources)s), and, where
-- migration.runs.apps is recorded (revision 0009, read through to_jsonb so that the query also
-- runs on a database before it), that lists the application.
select r.run_id
  from migration.runs r
 where r.job = any(%(jobs)s) and r.run_id <> %(run_id)s
   and r.started_at < coalesce((select started_at from migration.runs where run_id = %(run_id)s), now())
   and exists (select 1 from migration.count_ledger l where l.run_id = r.run_id and l.source = any(%(sources)s))
   and (jsonb_typeof(to_jsonb(r) -> 'apps') is distinct from 'array' or (to_jsonb(r) -> 'apps') ? %(app)s)
 order by r.started_at desc
 limit 1

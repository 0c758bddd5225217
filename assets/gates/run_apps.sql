-- The applications run %(run_id)s covered, as this database recorded it: migration.runs.apps
-- (revision 0009: read through to_jsonb, so that the query also runs on a database before it), the
-- run's job, and the sources of its count ledger. No row: this database holds nothing of the run.
select (select array_agg(a.value order by a.value)
          from jsonb_array_elements_text(case when jsonb_typeof(to_jsonb(r) -> 'apps') = 'array'
                                              then to_jsonb(r) -> 'apps' end) a) as apps,
       r.job,
       array(select distinct l.source from migration.count_ledger l where l.run_id = %(run_id)s) as landed
  from (select %(run_id)s::text as run_id) k
  left join migration.runs r on r.run_id = k.run_id
 where r.run_id is not null
    or exists (select 1 from migration.count_ledger l where l.run_id = %(run_id)s)

-- live rows whose id the candidates lack: the apply would delete them (SPEC §4: every row live
-- before the cutover is live after it, with the same id); how many, and a few ids to name
select count(*), (array_agg(l.id::text order by l.id::text))[1:3]
  from {live} l
 where not exists (select 1 from {candidate} c where c.id = l.id)

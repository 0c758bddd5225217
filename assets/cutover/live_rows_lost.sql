-- live rows whose key (`id`, or the natural key of a table without one) the candidates lack: the
-- apply would delete them (SPEC §4: every row live before the cutover is live after it, with the
-- same id); how many, and a few keys to name
select count(*), (array_agg({label} order by {label}))[1:3]
  from {live} l
 where not exists (select 1 from {candidate} c where {same})

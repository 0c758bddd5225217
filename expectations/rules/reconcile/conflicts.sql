-- name: {rule}
-- severity: warning
-- description: The conflicts of one kind the models recorded for the run (MongoDB/Luma field
-- description: conflicts, a Luma key listed twice with different values, Podium reverse-link
-- description: asymmetry): reported, not blocking.
select c.key || '.' || coalesce(c.field, '') as key, c.source_table || ' ' || c.kind as detail
  from (select * from {batch}) as c where c.run_id = {run} and c.kind = {kind}

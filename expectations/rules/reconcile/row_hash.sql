-- name: migrated values match the source (row hash)
-- severity: error
-- description: For every migrated record, the fields carried over unchanged, read once from the raw
-- description: record and once from its candidate row, hash alike; a recorded value fix replaces
-- description: the raw value. A mismatch is named by key and field.
-- {expected}: (source_id, v: jsonb of the expected values) from the raw table (expectations/row_compare.py);
-- {got}: the candidate row's values as jsonb; {join}: candidate row `t` of expected row `e`;
-- {compared}: the compared columns, the keys of every `v` (a fix of any other field is not compared).
with expected as ({expected}),
fixes as (select f.source_id, jsonb_object_agg({fix_column}, f.stored_value) as v from migration.value_fixes as f
 where f.run_id = {run} and f.source = '{source}' and f.source_table = '{source_table}' and {fix_column} in ({compared})
 group by f.source_id),
actual as (select t.id, e.source_id, case when x.v is null then e.v else e.v || x.v end as want, {got} as got
 from (select * from {batch}) as t join expected as e on {join} left join fixes as x on x.source_id = e.source_id),
mismatched as (select * from actual where md5(want::text) <> md5(got::text))
select m.source_id || '.' || w.key as key, 'candidate value differs from the source' as detail
  from mismatched as m cross join lateral jsonb_each(m.want) as w where w.value is distinct from m.got->w.key

-- Hello Miami's disagreements reported, not resolved by a rule: MongoDB vs Luma event fields, and
-- a Luma key listed twice with different values (the first listed is kept: left = its value,
-- right = the later entry's; null = absent), and a live row vs the source record matched to it
-- (left = live, right = source: int_hello_miami__live_conflicts). reconcile/conflicts.sql records
-- them for the run.
with jsonb_fields as (
    select 'luma_duplicate' as kind, 'luma.' || d.source_table as source_table, d.source_id as key, f.field,
           d.kept_entry->f.field as left_value, d.entry->f.field as right_value
    from staging.stg_luma__duplicates as d
    cross join lateral (select jsonb_object_keys(d.kept_entry) union select jsonb_object_keys(d.entry)) as f(field)
    where d.rule = 'conflicting duplicate' and (d.kept_entry->f.field) is distinct from (d.entry->f.field)
    union all
    select 'live_source', source_table, key, field, left_value, right_value
    from intermediate.int_hello_miami__live_conflicts
)
select 'mongo_luma' as kind, 'events' as source_table, key, field, left_value, right_value
from intermediate.int_hello_miami__event_conflicts
union all
select kind, source_table, key, field,
       staging.value_text(left_value),
       staging.value_text(right_value)
from jsonb_fields

-- Disagreements reported, not resolved by a rule (intermediate/int_<application>__conflicts.sql
-- says which), recorded for the run with the application they belong to.
select current_setting('cutover.run_id') as run_id, '{app}' as application, kind, source_table, key, field,
       left_value, right_value
from intermediate.int_{app}__conflicts

-- Every stored value that differs from its source value, with the full original.
select current_setting('cutover.run_id') as run_id, source, source_table, source_id, field, original_value, stored_value, reason
from intermediate.int_{app}__value_fixes

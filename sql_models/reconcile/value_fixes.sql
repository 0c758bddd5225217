-- Every stored value that differs from its source value, with the full original.
select current_setting('cutover.run_id') as run_id, source, source_table, source_id, field, original_value, stored_value, reason
from intermediate.int_podium__value_fixes
union all
select current_setting('cutover.run_id'), source, source_table, source_id, field, original_value, stored_value, reason
from intermediate.int_hello_miami__value_fixes

-- The demo's rows already live (tests/sample/hm_live.py): inserted as the application would have
-- written them, the columns the file names and the table's defaults for the rest; a row already
-- there (a re-run of the demo, or a cutover that kept it) is left as it is.
insert into {table} ({columns})
select {columns} from jsonb_populate_recordset(null::{table}, %(rows)s)
on conflict do nothing

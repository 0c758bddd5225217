-- One table of a source that is reloaded whole: the landing dlt just finished takes the previous
-- landing's place in raw, and an empty copy stays behind for dlt's next truncate-and-insert.
-- pipelines/land.py runs this for every table of the source inside ONE transaction, so readers
-- and a killed run see either every table of the previous landing or every table of the new one.
drop table if exists {raw}.{table};
alter table {landing}.{table} set schema {raw};
create table {landing}.{table} (like {raw}.{table} including all);

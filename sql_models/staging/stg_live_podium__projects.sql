-- Podium's live projects as the dry-run landed them (raw_live_podium): the id and the natural keys airtable_id, then join_code
-- that a re-run over a target holding part of a backfill matches (SPEC §4 "Rows already live").
-- index: airtable_id
select id, airtable_id, join_code
from raw_live_podium.projects

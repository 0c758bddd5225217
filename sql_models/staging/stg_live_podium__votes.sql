-- Podium's live votes as the dry-run landed them (raw_live_podium): the id and the natural key airtable_id
-- that a re-run over a target holding part of a backfill matches (SPEC §4 "Rows already live").
-- index: airtable_id
select id, airtable_id
from raw_live_podium.votes

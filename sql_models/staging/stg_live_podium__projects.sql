-- Podium's live projects as the dry-run landed them (raw_live_podium): unchanged; the natural keys airtable_id, then join_code, matched
-- by a re-run over a target holding part of a backfill (SPEC §4 "Rows already live").
-- index: airtable_id
select * from raw_live_podium.projects

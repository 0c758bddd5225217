-- Podium's live referrals as the dry-run landed them (raw_live_podium): unchanged; the natural key airtable_id, matched
-- by a re-run over a target holding part of a backfill (SPEC §4 "Rows already live").
-- index: airtable_id
select * from raw_live_podium.referrals

-- Podium's live events as the dry-run landed them (raw_live_podium): unchanged; the natural keys airtable_id, then slug, then join_code, matched
-- by a re-run over a target holding part of a backfill (SPEC §4 "Rows already live").
-- Each key int_podium__events matches by is indexed, so its `or` of keys is a few index probes per
-- record, not a scan of this table per record (quadratic once the live table is full, as in a
-- dry-run after an apply: scale 100's int_podium__events ran minutes instead of a second).
-- index: airtable_id
-- index: slug
-- index: join_code
select * from raw_live_podium.events

-- Podium's live event_attendees as the dry-run landed them (raw_live_podium): unchanged; the natural key, its unique (event_id, user_id), matched
-- by a re-run over a target holding part of a backfill (SPEC §4 "Rows already live").
-- index: event_id
select * from raw_live_podium.event_attendees

-- Podium's live project_collaborators as the dry-run landed them (raw_live_podium): unchanged; the natural key, its unique (project_id, user_id), matched
-- by a re-run over a target holding part of a backfill (SPEC §4 "Rows already live").
-- index: project_id
select * from raw_live_podium.project_collaborators

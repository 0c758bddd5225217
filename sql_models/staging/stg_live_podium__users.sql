-- Podium's live users as the dry-run landed them (raw_live_podium): unchanged, plus the natural key
-- lower(trim(email)) that a re-run over a target holding part of a backfill matches (SPEC §4 "Rows
-- already live").
-- index: email_key
select *, lower(trim(email)) as email_key
from raw_live_podium.users

-- Hello Miami's live events as the dry-run landed them (raw_live_hello_miami, the rows the
-- application's Luma sync wrote): unchanged; luma_event_id is the natural key.
-- index: id
-- index: luma_event_id
select
    id, luma_event_id, name, description, cover_url, url, start_at, end_at, timezone, location, stats,
    is_canceled, last_synced_at, created_at, updated_at
from raw_live_hello_miami.events

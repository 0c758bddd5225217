-- One event per luma_event_id, Luma's values over MongoDB's.
select
    id, luma_event_id, name, description, cover_url, url, start_at, end_at, timezone, location, stats,
    is_canceled, last_synced_at, created_at, updated_at
from intermediate.int_hello_miami__events

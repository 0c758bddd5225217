-- From events.attendees (the forward link), one row per (event, user) after re-pointing.
select target_id as id, event_id, user_id
from intermediate.int_podium__event_attendees
where outcome = 'migrated'

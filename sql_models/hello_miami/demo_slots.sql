-- Demo slots with event_id resolved through the MongoDB event's lumaEventId.
select
    target_id as id, member_id, event_id, title, description, requested_time, duration_minutes, status,
    confirmed_by_organizer, created_at, updated_at
from intermediate.int_hello_miami__demo_slots
where outcome = 'migrated'

-- Pending users, one per email and per lumaAttendeeId.
select target_id as id, email, name, luma_attendee_id, subscribed_at, approved_at, created_at, updated_at
from intermediate.int_hello_miami__pending_users
where outcome = 'migrated'

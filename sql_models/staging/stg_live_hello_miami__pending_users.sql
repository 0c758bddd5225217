-- Hello Miami's live pending users as the dry-run landed them (raw_live_hello_miami): unchanged, plus
-- the natural key lower(email).
-- index: email_key
select id, email, name, luma_attendee_id, subscribed_at, approved_at, created_at, updated_at,
       lower(email) as email_key
from raw_live_hello_miami.pending_users

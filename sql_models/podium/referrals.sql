-- Referrals whose user and event migrated.
select target_id as id, airtable_id, content, user_id, event_id
from intermediate.int_podium__referrals
where outcome = 'migrated'

-- Badges, one per name; icon_ascii from iconAscii, else icon, else ''.
select target_id as id, name, icon_ascii, coalesce(criteria, '') as criteria, created_at
from intermediate.int_hello_miami__badges
where outcome = 'migrated'

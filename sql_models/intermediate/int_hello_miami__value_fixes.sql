-- Values of migrated Hello Miami records not stored as the source holds them: a clerkUserId an
-- earlier profile already holds (null stored), a badge with neither iconAscii nor icon ('' stored).
select 'mongo' as source, 'profiles' as source_table, mongo_id as source_id, 'clerkUserId' as field,
       clerk_user_id as original_value, null::text as stored_value, 'duplicate clerkUserId' as reason
from intermediate.int_hello_miami__profiles
where outcome = 'migrated' and clerk_user_id_taken
union all
select 'mongo', 'badges', mongo_id, 'iconAscii', null, '', 'missing icon'
from intermediate.int_hello_miami__badges
where outcome = 'migrated' and icon_ascii = ''

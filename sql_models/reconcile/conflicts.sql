-- Disagreements reported, not resolved by a rule: MongoDB vs Luma event fields, and the Podium
-- reverse link users.attending_events vs events.attendees.
select current_setting('cutover.run_id') as run_id, 'mongo_luma' as kind, 'events' as source_table,
       key, field, left_value, right_value
from intermediate.int_hello_miami__event_conflicts
union all
select current_setting('cutover.run_id'), 'reverse_link', 'events.attendees', key, 'attendees', left_value, right_value
from intermediate.int_podium__reverse_link_conflicts

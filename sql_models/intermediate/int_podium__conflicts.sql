-- Podium's disagreements reported, not resolved by a rule: the reverse link users.attending_events
-- vs events.attendees (reconcile/conflicts.sql records them for the run).
select 'reverse_link' as kind, 'events.attendees' as source_table, key, 'attendees' as field, left_value, right_value
from intermediate.int_podium__reverse_link_conflicts

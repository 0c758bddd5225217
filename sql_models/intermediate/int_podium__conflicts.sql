-- Podium's disagreements reported, not resolved by a rule: the reverse link users.attending_events
-- vs events.attendees, and a live row vs the source record matched to it (left = live, right =
-- source: int_podium__live_conflicts). reconcile/conflicts.sql records them for the run.
select 'reverse_link' as kind, 'events.attendees' as source_table, key, 'attendees' as field, left_value, right_value
from intermediate.int_podium__reverse_link_conflicts
union all
select 'live_source', source_table, key, field,
       staging.value_text(left_value),
       staging.value_text(right_value)
from intermediate.int_podium__live_conflicts

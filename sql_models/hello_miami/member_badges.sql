-- One award per (member, badge).
select member_id, badge_id, awarded_at
from intermediate.int_hello_miami__member_badges
where outcome = 'migrated'

-- Surveys, one per slug.
select target_id as id, slug, title, description, type, is_active, questions, created_at, updated_at
from intermediate.int_hello_miami__surveys
where outcome = 'migrated'

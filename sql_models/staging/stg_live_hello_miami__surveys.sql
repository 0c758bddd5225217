-- Hello Miami's live surveys as the dry-run landed them (raw_live_hello_miami): unchanged; `slug` is
-- the natural key.
-- index: slug
select id, slug, title, description, type, is_active, questions, created_at, updated_at
from raw_live_hello_miami.surveys

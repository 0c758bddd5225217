-- Hello Miami's live badges as the dry-run landed them (raw_live_hello_miami): unchanged; `name` is
-- the natural key.
-- index: name
select id, name, icon_ascii, criteria, created_at
from raw_live_hello_miami.badges

-- Member projects whose member migrated (merged members re-pointed).
select target_id as id, member_id, title, description, tags, image_urls, github_url, public_url, created_at, updated_at
from intermediate.int_hello_miami__projects
where outcome = 'migrated'

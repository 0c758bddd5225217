-- Projects that passed every check; cached_auto_quality null where it is not JSON.
select
    target_id as id, airtable_id, left(name, 255) as name, repo, image_url, demo, description, join_code,
    hours_spent, points, cached_auto_quality, owner_id, event_id
from intermediate.int_podium__projects
where outcome = 'migrated'

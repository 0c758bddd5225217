-- Podium projects: owner and event from their links; numbers absent or unreadable = 0;
-- cached_auto_quality kept as text here and parsed (or not) as JSON.
-- index: airtable_id
with raw_projects as (
    select id, created_time, fields from raw_airtable.projects
)
select
    id as airtable_id,
    created_time,
    nullif(trim(staging.txt(fields->'name')), '') is not null as has_name,
    coalesce(staging.txt(fields->'name'), '') as name,
    coalesce(staging.txt(fields->'repo'), '') as repo,
    coalesce(staging.txt(fields->'image_url'), '') as image_url,
    coalesce(staging.txt(fields->'demo'), '') as demo,
    coalesce(staging.txt(fields->'description'), '') as description,
    nullif(staging.txt(fields->'join_code'), '') as join_code,
    coalesce(trunc(staging.num(fields->'hours_spent'))::int, 0) as hours_spent,
    coalesce(trunc(staging.num(fields->'points'))::int, 0) as points,
    staging.txt(fields->'cached_auto_quality') as cached_auto_quality_text,
    migration.try_jsonb(staging.txt(fields->'cached_auto_quality')) as cached_auto_quality,
    staging.link(fields->'owner') as owner_airtable_id,
    staging.link(fields->'event') as event_airtable_id,
    case jsonb_typeof(fields->'collaborators') when 'array' then fields->'collaborators' else '[]'::jsonb end
        as collaborators
from raw_projects

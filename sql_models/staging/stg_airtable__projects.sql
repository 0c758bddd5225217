-- Podium projects: owner and event from their links; numbers absent or unreadable = 0 (unreadable,
-- beyond integer range or with a fraction dropped: recorded in `fixes`);
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
    coalesce(staging.int4(fields->'hours_spent'), 0) as hours_spent,
    coalesce(staging.int4(fields->'points'), 0) as points,
    staging.txt(fields->'cached_auto_quality') as cached_auto_quality_text,
    migration.try_jsonb(staging.txt(fields->'cached_auto_quality')) as cached_auto_quality,
    staging.link(fields->'owner') as owner_airtable_id,
    staging.link(fields->'event') as event_airtable_id,
    case jsonb_typeof(fields->'collaborators') when 'array' then fields->'collaborators' else '[]'::jsonb end
        as collaborators,
    array_remove(array[
        staging.text_fix('repo', fields->'repo', ''),
        staging.text_fix('image_url', fields->'image_url', ''),
        staging.text_fix('demo', fields->'demo', ''),
        staging.text_fix('description', fields->'description', ''),
        staging.int_fix('hours_spent', fields->'hours_spent', coalesce(staging.int4(fields->'hours_spent'), 0)::text),
        staging.int_fix('points', fields->'points', coalesce(staging.int4(fields->'points'), 0)::text)
    ], null) as fixes
from raw_projects

-- Podium events: the owner is the `owner` link (owner_id is only a lookup); absent checkbox = false;
-- flags come from feature_flags_csv (the field the application reads). `fixes`: a checkbox that is
-- not true/false, or a text field holding no text, is stored as the default and recorded.
-- index: airtable_id
with raw_events as (
    select id, created_time, fields from raw_airtable.events
)
select
    id as airtable_id,
    created_time,
    nullif(trim(staging.txt(fields->'name')), '') is not null as has_name,
    coalesce(staging.txt(fields->'name'), '') as name,
    nullif(staging.txt(fields->'slug'), '') as slug,
    coalesce(staging.txt(fields->'description'), '') as description,
    nullif(staging.txt(fields->'join_code'), '') as join_code,
    coalesce(staging.bool(fields->'votable'), false) as votable,
    coalesce(staging.bool(fields->'leaderboard_enabled'), false) as leaderboard_enabled,
    coalesce(staging.bool(fields->'demo_links_optional'), false) as demo_links_optional,
    coalesce(staging.bool(fields->'ysws_checks_enabled'), false) as ysws_checks_enabled,
    coalesce(staging.txt(fields->'feature_flags_csv'), '') as feature_flags_csv,
    staging.link(fields->'owner') as owner_airtable_id,
    case jsonb_typeof(fields->'attendees') when 'array' then fields->'attendees' else '[]'::jsonb end as attendees,
    array_remove(array[
        staging.text_fix('description', fields->'description', ''),
        staging.text_fix('feature_flags_csv', fields->'feature_flags_csv', ''),
        staging.bool_fix('votable', fields->'votable', 'false'),
        staging.bool_fix('leaderboard_enabled', fields->'leaderboard_enabled', 'false'),
        staging.bool_fix('demo_links_optional', fields->'demo_links_optional', 'false'),
        staging.bool_fix('ysws_checks_enabled', fields->'ysws_checks_enabled', 'false')
    ], null) as fixes
from raw_events

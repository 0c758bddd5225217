-- Podium users as Airtable holds them: values untouched except the email key (lower/trim) and dob
-- parsed strictly as YYYY-MM-DD. Lengths are judged downstream against the target widths.
-- `fixes`: a text field holding no text (an array, an object) is stored as '' and recorded.
-- index: airtable_id
with raw_users as (
    select id, created_time, fields from raw_airtable.users
)
select
    id as airtable_id,
    created_time,
    nullif(lower(trim(staging.txt(fields->'email'))), '') as email,
    coalesce(staging.txt(fields->'display_name'), '') as display_name,
    coalesce(staging.txt(fields->'first_name'), '') as first_name,
    coalesce(staging.txt(fields->'last_name'), '') as last_name,
    coalesce(staging.txt(fields->'phone'), '') as phone,
    coalesce(staging.txt(fields->'street_1'), '') as street_1,
    coalesce(staging.txt(fields->'street_2'), '') as street_2,
    coalesce(staging.txt(fields->'city'), '') as city,
    coalesce(staging.txt(fields->'state'), '') as state,
    coalesce(staging.txt(fields->'zip_code'), '') as zip_code,
    coalesce(staging.txt(fields->'country'), '') as country,
    staging.txt(fields->'dob') as dob_text,
    case when staging.txt(fields->'dob') ~ '^\d{4}-\d{2}-\d{2}$'
         then migration.try_date(staging.txt(fields->'dob')) end as dob,
    case jsonb_typeof(fields->'attending_events') when 'array' then fields->'attending_events' else '[]'::jsonb end
        as attending_events,
    fields as raw_fields,
    array_remove(array[staging.text_fix('display_name', fields->'display_name', ''),
        staging.text_fix('first_name', fields->'first_name', ''),
        staging.text_fix('last_name', fields->'last_name', ''),
        staging.text_fix('phone', fields->'phone', ''),
        staging.text_fix('street_1', fields->'street_1', ''),
        staging.text_fix('street_2', fields->'street_2', ''),
        staging.text_fix('city', fields->'city', ''),
        staging.text_fix('state', fields->'state', ''),
        staging.text_fix('zip_code', fields->'zip_code', ''),
        staging.text_fix('country', fields->'country', '')
    ], null) as fixes
from raw_users

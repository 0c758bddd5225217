-- Field by field, where MongoDB and Luma both hold a value for an event and the values differ
-- (Luma's is stored). A warning for the report, not a rule that blocks.
with both_sources as (
    select * from intermediate.int_hello_miami__events where in_luma and in_mongo
),
pairs as (
    select luma_event_id, f.field, f.mongo_value, f.luma_value
    from both_sources
    cross join lateral (values
        ('name', mongo_name, luma_name),
        ('description', mongo_description, luma_description),
        ('cover_url', mongo_cover_url, luma_cover_url),
        ('url', mongo_url, luma_url),
        ('start_at', to_char(mongo_start_at, 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), to_char(luma_start_at, 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')),
        ('end_at', to_char(mongo_end_at, 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), to_char(luma_end_at, 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')),
        ('timezone', mongo_timezone, luma_timezone),
        ('location', mongo_location::text, luma_location::text),
        ('is_canceled', mongo_is_canceled::text, luma_is_canceled::text)
    ) as f(field, mongo_value, luma_value)
)
select luma_event_id as key, field, mongo_value as left_value, luma_value as right_value
from pairs
where mongo_value is not null and luma_value is not null
  and case when field = 'location' then mongo_value::jsonb <> luma_value::jsonb else mongo_value <> luma_value end

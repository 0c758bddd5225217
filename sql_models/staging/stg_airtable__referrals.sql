-- Podium referrals ("how did you hear about this event").
-- index: airtable_id
with raw_referrals as (
    select id, created_time, fields from raw_airtable.referrals
)
select
    id as airtable_id,
    created_time,
    coalesce(staging.txt(fields->'content'), '') as content,
    staging.link(fields->'user') as user_airtable_id,
    staging.link(fields->'event') as event_airtable_id,
    array_remove(array[staging.text_fix('content', fields->'content', '')], null) as fixes
from raw_referrals

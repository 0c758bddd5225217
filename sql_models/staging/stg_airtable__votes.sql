-- Podium votes: the three links, nothing else is migrated.
-- index: airtable_id
with raw_votes as (
    select id, created_time, fields from raw_airtable.votes
)
select
    id as airtable_id,
    created_time,
    staging.link(fields->'voter') as voter_airtable_id,
    staging.link(fields->'project') as project_airtable_id,
    staging.link(fields->'event') as event_airtable_id
from raw_votes

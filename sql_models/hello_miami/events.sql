-- One event per luma_event_id, Luma's values over MongoDB's. Rows already live (SPEC §4): every
-- live event is kept with its id; one the sources also hold (same luma_event_id, so the same id:
-- int_hello_miami__event_ids) is that row, each field by the table's rule (staging.live_wins: live
-- wins for events unless configured otherwise, the other side filling what the winner lacks).
with source as (
    select * from intermediate.int_hello_miami__events
),
live as (
    select * from staging.stg_live_hello_miami__events
),
rule as (
    select staging.live_wins('hello_miami.events') as live_wins
)
select
    coalesce(l.id, s.id) as id,
    coalesce(l.luma_event_id, s.luma_event_id) as luma_event_id,
    staging.field_rule(r.live_wins, l.name, s.name) as name,
    staging.field_rule(r.live_wins, l.description, s.description) as description,
    staging.field_rule(r.live_wins, l.cover_url, s.cover_url) as cover_url,
    staging.field_rule(r.live_wins, l.url, s.url) as url,
    staging.field_rule(r.live_wins, l.start_at, s.start_at) as start_at,
    staging.field_rule(r.live_wins, l.end_at, s.end_at) as end_at,
    staging.field_rule(r.live_wins, l.timezone, s.timezone) as timezone,
    staging.field_rule(r.live_wins, l.location, s.location) as location,
    staging.field_rule(r.live_wins, l.stats, s.stats) as stats,
    staging.field_rule(r.live_wins, l.is_canceled, s.is_canceled) as is_canceled,
    staging.field_rule(r.live_wins, l.last_synced_at, s.last_synced_at) as last_synced_at,
    staging.field_rule(r.live_wins, l.created_at, s.created_at) as created_at,
    staging.field_rule(r.live_wins, l.updated_at, s.updated_at) as updated_at
from source as s
full join live as l on l.id = s.id
cross join rule as r

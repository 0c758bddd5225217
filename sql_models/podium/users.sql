-- One user per normalized email: the primary's values, text cut to the column widths (each cut is
-- in int_podium__value_fixes), dob null where it is not a date. Rows already live (SPEC §4): every
-- live row is kept with its id; the source record matched to it (a live user of its email) took
-- that id, so it is that row, each field by the table's rule (staging.live_wins: the source wins
-- unless configured otherwise).
with source as (
    select * from intermediate.int_podium__users where outcome = 'migrated'
),
live as (
    select * from staging.stg_live_podium__users
),
rule as (
    select staging.live_wins('podium.users') as live_wins
)
select
    coalesce(l.id, s.target_id) as id,
    staging.field_rule(r.live_wins, l.airtable_id, s.airtable_id) as airtable_id,
    staging.field_rule(r.live_wins, l.email, s.email) as email,
    staging.field_rule(r.live_wins, l.display_name, left(s.display_name, 255)) as display_name,
    staging.field_rule(r.live_wins, l.first_name, left(s.first_name, 50)) as first_name,
    staging.field_rule(r.live_wins, l.last_name, left(s.last_name, 50)) as last_name,
    staging.field_rule(r.live_wins, l.phone, left(s.phone, 20)) as phone,
    staging.field_rule(r.live_wins, l.street_1, left(s.street_1, 255)) as street_1,
    staging.field_rule(r.live_wins, l.street_2, left(s.street_2, 255)) as street_2,
    staging.field_rule(r.live_wins, l.city, left(s.city, 100)) as city,
    staging.field_rule(r.live_wins, l.state, left(s.state, 100)) as state,
    staging.field_rule(r.live_wins, l.zip_code, left(s.zip_code, 20)) as zip_code,
    staging.field_rule(r.live_wins, l.country, left(s.country, 100)) as country,
    staging.field_rule(r.live_wins, l.dob, s.dob) as dob
from source as s
full join live as l on l.id = s.target_id
cross join rule as r

-- One user per normalized email: the primary's values, text cut to the column widths (each cut is
-- in int_podium__value_fixes), dob null where it is not a date.
select
    target_id as id, airtable_id, email,
    left(display_name, 255) as display_name, left(first_name, 50) as first_name, left(last_name, 50) as last_name,
    left(phone, 20) as phone, left(street_1, 255) as street_1, left(street_2, 255) as street_2,
    left(city, 100) as city, left(state, 100) as state, left(zip_code, 20) as zip_code,
    left(country, 100) as country, dob
from intermediate.int_podium__users
where outcome = 'migrated'

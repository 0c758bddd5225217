-- Every value of a migrated Podium record that is not stored as the source holds it: text cut to
-- its column width (full value kept here), dob that is not a date, cached_auto_quality that is
-- not JSON, and every value a staging model could not read as its type and replaced by its
-- default (the staging models' `fixes`, see staging.fix_if). Keys are never cut (they are quarantined
-- instead). An absent field taking its default ('' text, false checkbox, 0 hours) is not recorded.
with user_texts as (
    select 'users' as source_table, u.airtable_id as source_id, f.field, f.value, f.width
    from intermediate.int_podium__users as u
    cross join lateral (values
        ('display_name', u.display_name, 255), ('first_name', u.first_name, 50), ('last_name', u.last_name, 50),
        ('phone', u.phone, 20), ('street_1', u.street_1, 255), ('street_2', u.street_2, 255),
        ('city', u.city, 100), ('state', u.state, 100), ('zip_code', u.zip_code, 20), ('country', u.country, 100)
    ) as f(field, value, width)
    where u.outcome = 'migrated'
),
event_texts as (
    select 'events', e.airtable_id, f.field, f.value, f.width
    from intermediate.int_podium__events as e
    cross join lateral (values ('name', e.name, 255), ('feature_flags_csv', e.feature_flags_csv, 500)) as f(field, value, width)
    where e.outcome = 'migrated'
),
project_texts as (
    select 'projects', p.airtable_id, 'name', p.name, 255
    from intermediate.int_podium__projects as p
    where p.outcome = 'migrated'
),
truncations as (
    select source_table, source_id, field, value as original_value, left(value, width) as stored_value,
           'truncated to ' || width as reason
    from (select * from user_texts union all select * from event_texts union all select * from project_texts) as texts
    where length(value) > width
),
unparseable_dobs as (
    select 'users', airtable_id, 'dob', dob_text, null::text, 'unparseable date'
    from intermediate.int_podium__users
    where outcome = 'migrated' and dob_text is not null and dob is null
),
invalid_json as (
    select 'projects', airtable_id, 'cached_auto_quality', cached_auto_quality_text, null::text, 'invalid JSON'
    from intermediate.int_podium__projects
    where outcome = 'migrated' and cached_auto_quality_text is not null and cached_auto_quality is null
),
read_fixes as (
    select s.source_table, s.airtable_id, f.fix->>'field', f.fix->>'original', f.fix->>'stored', f.fix->>'reason'
    from (select 'users' as source_table, airtable_id, fixes from staging.stg_airtable__users
          union all select 'events', airtable_id, fixes from staging.stg_airtable__events
          union all select 'projects', airtable_id, fixes from staging.stg_airtable__projects
          union all select 'referrals', airtable_id, fixes from staging.stg_airtable__referrals) as s
    join intermediate.int_podium__classification as c
      on c.source = 'airtable' and c.source_table = s.source_table and c.source_id = s.airtable_id and c.outcome = 'migrated'
    cross join unnest(s.fixes) as f(fix)
)
select 'airtable' as source, * from truncations
union all select 'airtable', * from unparseable_dobs
union all select 'airtable', * from invalid_json
union all select 'airtable', * from read_fixes

-- Values of migrated Hello Miami records not stored as the source holds them: a clerkUserId an
-- earlier profile already holds (null stored), a badge with neither iconAscii nor icon ('' stored),
-- every value a staging model could not read as its type and replaced by a default or fallback
-- (the staging models' `fixes`, see staging.fix_if), and the same for events: Luma's entry where Luma
-- returns the event, else the MongoDB document (a MongoDB value beside Luma's is not stored; where
-- both hold one and they differ, that is a conflict). A Luma guest's values are not stored as such
-- (they decide its attendance; an unreadable status is no attendance, counted as a merge).
-- Not recorded, because the SPEC defines them as the same value:
-- '' clerkUserId/lumaAttendeeId stored as null, emails lower-cased and trimmed as identity keys,
-- last_synced_at set to the capture time, Extended JSON inside jsonb values written as plain JSON,
-- an absent value taking its default.
with staged as (
    select 'profiles' as source_table, mongo_id, fixes from staging.stg_mongo__profiles
    union all select 'projects', mongo_id, fixes from staging.stg_mongo__projects
    union all select 'badges', mongo_id, fixes from staging.stg_mongo__badges
    union all select 'member_badges', mongo_id, fixes from staging.stg_mongo__member_badges
    union all select 'attendance', mongo_id, fixes from staging.stg_mongo__attendance
    union all select 'pending_users', mongo_id, fixes from staging.stg_mongo__pending_users
    union all select 'luma_webhooks', mongo_id, fixes from staging.stg_mongo__luma_webhooks
    union all select 'surveys', mongo_id, fixes from staging.stg_mongo__surveys
    union all select 'survey_responses', mongo_id, fixes from staging.stg_mongo__survey_responses
    union all select 'demo_slots', mongo_id, fixes from staging.stg_mongo__demo_slots
),
events as (
    -- each event's stored values came from Luma's entry when Luma returns it, else from MongoDB's
    select e.*,
           case when e.in_luma then 'luma' else 'mongo' end as source,
           case when e.in_luma then e.luma_event_id else e.mongo_id end as source_id,
           case when e.in_luma then case when jsonb_typeof(l.record->'event') = 'object' then l.record->'event' else l.record end
                else m.document end as entry
    from intermediate.int_hello_miami__events as e
    left join raw_luma.events as l on e.in_luma and l.api_id = e.luma_event_id
    left join raw_mongo.events as m on not e.in_luma and lower(m._id) = e.mongo_id
),
event_fixes as (
    select e.source, e.source_id, f.fix
    from events as e
    cross join lateral (values
        ('name', 'name', 'text', e.name), ('description', 'description', 'text', e.description),
        ('coverUrl', 'cover_url', 'text', e.cover_url), ('url', 'url', 'text', e.url),
        ('timezone', 'timezone', 'text', e.timezone), ('startAt', 'start_at', 'date', e.start_at::text),
        ('endAt', 'end_at', 'date', e.end_at::text), ('isCanceled', 'is_canceled', 'boolean', e.is_canceled::text),
        ('createdAt', null, 'date', e.created_at::text), ('updatedAt', null, 'date', e.updated_at::text),
        ('location', null, 'object', null), ('stats.registered', null, 'integer', e.stats->>'registered'),
        ('stats.checkedIn', null, 'integer', e.stats->>'checkedIn'),
        (null, 'geo_address_info.latitude', 'number', e.location->>'lat'),
        (null, 'geo_address_info.longitude', 'number', e.location->>'lng')
    ) as c(mongo_field, luma_field, kind, stored)
    cross join lateral (select case when e.source = 'luma' then c.luma_field else c.mongo_field end as field) as n
    cross join lateral (select e.entry #> string_to_array(n.field, '.') as v) as x
    cross join lateral (select case c.kind
        when 'text' then staging.text_fix(n.field, x.v, c.stored)
        when 'date' then staging.date_fix(n.field, x.v, c.stored)
        when 'boolean' then staging.bool_fix(n.field, x.v, c.stored)
        when 'integer' then staging.int_fix(n.field, x.v, c.stored)
        when 'number' then staging.fix_if(jsonb_typeof(x.v) <> 'null' and staging.num(x.v) is null, n.field, x.v, c.stored, 'not a number')
        else staging.fix_if(jsonb_typeof(x.v) not in ('object', 'null'), n.field, x.v, null, 'not an object')
    end as fix) as f
    where n.field is not null and f.fix is not null
),
read_fixes as (
    select 'mongo' as source, s.source_table, s.mongo_id as source_id, f.fix
    from staged as s
    join intermediate.int_hello_miami__classification as c
      on c.source = 'mongo' and c.source_table = s.source_table and c.source_id = s.mongo_id and c.outcome = 'migrated'
    cross join unnest(s.fixes) as f(fix)
    union all
    select source, 'events', source_id, fix from event_fixes
)
select 'mongo' as source, 'profiles' as source_table, mongo_id as source_id, 'clerkUserId' as field,
       clerk_user_id as original_value, null::text as stored_value, 'duplicate clerkUserId' as reason
from intermediate.int_hello_miami__profiles
where outcome = 'migrated' and clerk_user_id_taken
union all
select 'mongo', 'badges', mongo_id, 'iconAscii', null, '', 'missing icon'
from intermediate.int_hello_miami__badges
where outcome = 'migrated' and icon_ascii = ''
union all
select source, source_table, source_id, fix->>'field', fix->>'original', fix->>'stored', fix->>'reason'
from read_fixes

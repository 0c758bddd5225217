-- Values of migrated Hello Miami records not stored as the source holds them: a clerkUserId an
-- earlier profile already holds (null stored), a badge with neither iconAscii nor icon ('' stored),
-- every value a staging model could not read as its type and replaced by a default or fallback
-- (the staging models' `fixes`, see staging.fix), and the same for events: Luma's entry where Luma
-- returns the event, else the MongoDB document (a MongoDB value beside Luma's is not stored; where
-- both hold one and they differ, that is a conflict). A Luma guest's values are not stored as such
-- (they decide its attendance; an unreadable status is no attendance, counted as a merge).
-- Not recorded, because the SPEC defines them as the same value:
-- '' clerkUserId/lumaAttendeeId stored as null, emails lower-cased and trimmed as identity keys,
-- last_synced_at set to the capture time, an absent value taking its default.
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
mongo_only_events as (
    select e.mongo_id, array_remove(array[
               staging.fix('name', r.document->'name', staging.txt(r.document->'name'), e.name),
               staging.fix('description', r.document->'description', staging.txt(r.document->'description'), e.description),
               staging.fix('coverUrl', r.document->'coverUrl', staging.txt(r.document->'coverUrl'), e.cover_url),
               staging.fix('url', r.document->'url', staging.txt(r.document->'url'), e.url),
               staging.fix('timezone', r.document->'timezone', staging.txt(r.document->'timezone'), e.timezone),
               staging.fix('startAt', r.document->'startAt', staging.ts(r.document->'startAt'), e.start_at::text),
               staging.fix('endAt', r.document->'endAt', staging.ts(r.document->'endAt'), e.end_at::text),
               staging.fix_if(jsonb_typeof(r.document->'location') not in ('object', 'null'), 'location',
                              r.document->'location', null, 'not an object'),
               staging.int_fix('stats.registered', r.document->'stats'->'registered', e.stats->>'registered'),
               staging.int_fix('stats.checkedIn', r.document->'stats'->'checkedIn', e.stats->>'checkedIn'),
               staging.fix('isCanceled', r.document->'isCanceled', staging.bool(r.document->'isCanceled'), e.is_canceled::text),
               staging.fix('createdAt', r.document->'createdAt', staging.ts(r.document->'createdAt'), e.created_at::text),
               staging.fix('updatedAt', r.document->'updatedAt', staging.ts(r.document->'updatedAt'), e.updated_at::text)
           ], null) as fixes
    from intermediate.int_hello_miami__events as e
    join raw_mongo.events as r on lower(r._id) = e.mongo_id
    where not e.in_luma
),
luma_events as (
    select e.luma_event_id, array_remove(array[
               staging.fix('name', l.entry->'name', staging.txt(l.entry->'name'), e.name),
               staging.fix('description', l.entry->'description', staging.txt(l.entry->'description'), e.description),
               staging.fix('cover_url', l.entry->'cover_url', staging.txt(l.entry->'cover_url'), e.cover_url),
               staging.fix('url', l.entry->'url', staging.txt(l.entry->'url'), e.url),
               staging.fix('timezone', l.entry->'timezone', staging.txt(l.entry->'timezone'), e.timezone),
               staging.fix('start_at', l.entry->'start_at', staging.ts(l.entry->'start_at'), e.start_at::text),
               staging.fix('end_at', l.entry->'end_at', staging.ts(l.entry->'end_at'), e.end_at::text),
               staging.fix('is_canceled', l.entry->'is_canceled', staging.bool(l.entry->'is_canceled'), e.is_canceled::text)
           ], null) as fixes
    from intermediate.int_hello_miami__events as e
    join (select api_id, case when jsonb_typeof(record->'event') = 'object' then record->'event' else record end as entry
          from raw_luma.events) as l on l.api_id = e.luma_event_id
    where e.in_luma
),
read_fixes as (
    select 'mongo' as source, s.source_table, s.mongo_id as source_id, f.fix
    from staged as s
    join intermediate.int_classification as c
      on c.source = 'mongo' and c.source_table = s.source_table and c.source_id = s.mongo_id and c.outcome = 'migrated'
    cross join unnest(s.fixes) as f(fix)
    union all
    select 'mongo', 'events', e.mongo_id, f.fix
    from mongo_only_events as e
    cross join unnest(e.fixes) as f(fix)
    union all
    select 'luma', 'events', e.luma_event_id, f.fix
    from luma_events as e
    cross join unnest(e.fixes) as f(fix)
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

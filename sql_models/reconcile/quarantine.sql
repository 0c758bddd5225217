-- Every quarantined record of this run with its reason and the raw record as landed.
with quarantined as (
    select source, source_table, source_id, reason from intermediate.int_classification where outcome = 'quarantined'
),
raw_records as (
    select 'airtable' as source, 'users' as source_table, id as source_id,
           jsonb_build_object('id', id, 'createdTime', created_time, 'fields', fields) as record
    from raw_airtable.users
    union all select 'airtable', 'events', id, jsonb_build_object('id', id, 'createdTime', created_time, 'fields', fields) from raw_airtable.events
    union all select 'airtable', 'projects', id, jsonb_build_object('id', id, 'createdTime', created_time, 'fields', fields) from raw_airtable.projects
    union all select 'airtable', 'votes', id, jsonb_build_object('id', id, 'createdTime', created_time, 'fields', fields) from raw_airtable.votes
    union all select 'airtable', 'referrals', id, jsonb_build_object('id', id, 'createdTime', created_time, 'fields', fields) from raw_airtable.referrals
    union all select 'mongo', 'profiles', lower(_id), document from raw_mongo.profiles
    union all select 'mongo', 'projects', lower(_id), document from raw_mongo.projects
    union all select 'mongo', 'badges', lower(_id), document from raw_mongo.badges
    union all select 'mongo', 'member_badges', lower(_id), document from raw_mongo.member_badges
    union all select 'mongo', 'events', lower(_id), document from raw_mongo.events
    union all select 'mongo', 'attendance', lower(_id), document from raw_mongo.attendance
    union all select 'mongo', 'pending_users', lower(_id), document from raw_mongo.pending_users
    union all select 'mongo', 'surveys', lower(_id), document from raw_mongo.surveys
    union all select 'mongo', 'survey_responses', lower(_id), document from raw_mongo.survey_responses
    union all select 'mongo', 'demo_slots', lower(_id), document from raw_mongo.demo_slots
)
select
    current_setting('cutover.run_id') as run_id, q.source, q.source_table, q.source_id, q.reason,
    null::text as detail,
    coalesce(r.record, case
        when q.source_table = 'events.attendees' then jsonb_build_object(
            'event', split_part(q.source_id, ':', 1), 'attendee', split_part(q.source_id, ':', 2))
        when q.source_table = 'projects.collaborators' then jsonb_build_object(
            'project', split_part(q.source_id, ':', 1), 'collaborator', split_part(q.source_id, ':', 2))
    end) as record
from quarantined as q
left join raw_records as r on r.source = q.source and r.source_table = q.source_table and r.source_id = q.source_id

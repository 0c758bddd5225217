-- Every quarantined record of this run with its reason and the raw record as landed.
with quarantined as (
    select source, source_table, source_id, reason from intermediate.int_{app}__classification where outcome = 'quarantined'
),
raw_records as (
    -- the raw record of every quarantinable source table (placeholder filled from the registry)
    {raw_records}
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

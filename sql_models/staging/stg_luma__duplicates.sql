-- Luma entries listed again under a key that the same landing already holds (raw_luma.duplicates,
-- see pipelines/luma/source.py). Rule: the first entry listed is the row and a later one is merged
-- into it; quietly ('exact duplicate') when the event or guest object is the same, otherwise
-- ('conflicting duplicate') with every differing field recorded in migration.conflicts (kind
-- 'luma_duplicate': left = the kept entry's value, right = the later one's) and in the report.
-- A duplicate whose row a later landing replaced (another _dlt_load_id) is no longer current.
-- index: source_table, source_id
with kept as (
    select 'events' as source_table, '' as event_api_id, api_id, _dlt_load_id,
           case when jsonb_typeof(record->'event') = 'object' then record->'event' else record end as entry
    from raw_luma.events
    union all
    select 'guests', event_api_id, api_id, _dlt_load_id,
           case when jsonb_typeof(record->'guest') = 'object' then record->'guest' else record end
    from raw_luma.guests
),
duplicates as (
    select d.source_table, d.event_api_id, d.api_id, d.occurrence, d._dlt_load_id,
           case when jsonb_typeof(d.record->'event') = 'object' and d.source_table = 'events' then d.record->'event'
                when jsonb_typeof(d.record->'guest') = 'object' and d.source_table = 'guests' then d.record->'guest'
                else d.record end as entry
    from raw_luma.duplicates as d
)
select
    d.source_table,
    case d.source_table when 'guests' then d.event_api_id || ':' || d.api_id else d.api_id end as kept_source_id,
    case d.source_table when 'guests' then d.event_api_id || ':' || d.api_id else d.api_id end || '#' || d.occurrence
        as source_id,
    k.entry as kept_entry,
    d.entry,
    case when k.entry = d.entry then 'exact duplicate' else 'conflicting duplicate' end as rule
from duplicates as d
join kept as k
  on k.source_table = d.source_table and k.event_api_id = d.event_api_id and k.api_id = d.api_id
 and k._dlt_load_id = d._dlt_load_id

-- Source id -> target id for every migrated or merged record (merged ones point at the row they
-- folded into). Keyed without the run: the latest run's lineage replaces the previous one for
-- every source table it classified.
-- replace: source, source_table
select source, source_table, source_id, target_table, target_id, current_setting('cutover.run_id') as run_id
from intermediate.int_{app}__classification
where outcome in ('migrated', 'merged') and target_id is not null

-- Every merge of this run: what folded into what, by which rule.
select
    current_setting('cutover.run_id') as run_id, source, source_table, source_id,
    into_source_id, target_id as into_target_id, reason as rule
from intermediate.int_{app}__classification
where outcome = 'merged'

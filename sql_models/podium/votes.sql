-- One vote per (voter, project): the earliest.
select target_id as id, airtable_id, voter_id, project_id, event_id
from intermediate.int_podium__votes
where outcome = 'migrated'

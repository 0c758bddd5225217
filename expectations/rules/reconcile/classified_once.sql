-- name: each record classified exactly once
-- severity: error
-- description: A source record has one outcome: migrated, merged or quarantined.
-- {classification}: the application's classification model
select c.source || '.' || c.source_table || ':' || c.source_id as key, count(*) || ' classifications' as detail
  from {classification} as c where c.source in ({sources})
 group by c.source, c.source_table, c.source_id having count(*) > 1

-- Rows written to the live tables since a cutover, per table: what a rollback would lose.
select schema_name || '.' || table_name as live_table,
       sum(inserted) as inserted,
       sum(updated) as updated,
       sum(deleted) as deleted,
       sum(truncated) as truncated,
       coalesce(sum(inserted + updated + deleted) filter (where writer = 'luma_sync'), 0) as by_luma_sync
  from migration.live_writes
 where cutover_id = %(cutover_id)s
 group by schema_name, table_name
having sum(inserted + updated + deleted + truncated) > 0
 order by 1

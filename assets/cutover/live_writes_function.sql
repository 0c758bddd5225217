-- Counts the rows each statement writes to a live table after a cutover, so that a rollback can
-- say how many rows it would lose (table migration.live_writes, Alembic 0003).
-- Statement-level triggers with transition tables: one counter update per statement, not per row.
-- TG_ARGV[0] is the cutover id; the writer is 'luma_sync' when the sync set cutover.writer,
-- else 'application' (anything else: the apps, an operator's psql).
-- SECURITY DEFINER: the applications' roles write the live tables but have no business (and no
-- grant) in schema migration; the counter must never make their writes fail.
create or replace function migration.count_live_writes() returns trigger
language plpgsql security definer set search_path = pg_catalog, pg_temp as $fn$
declare
    row_count_written bigint := 0;
    current_writer text := coalesce(nullif(current_setting('cutover.writer', true), ''), 'application');
begin
    if tg_op = 'INSERT' then
        select count(*) into row_count_written from new_rows;
    elsif tg_op = 'UPDATE' then
        select count(*) into row_count_written from new_rows;
    elsif tg_op = 'DELETE' then
        select count(*) into row_count_written from old_rows;
    end if;
    if row_count_written = 0 and tg_op <> 'TRUNCATE' then
        return null;
    end if;
    insert into migration.live_writes as w
           (cutover_id, schema_name, table_name, writer, inserted, updated, deleted, truncated, last_write_at)
    values (tg_argv[0]::bigint, tg_table_schema, tg_table_name, current_writer,
            case when tg_op = 'INSERT' then row_count_written else 0 end,
            case when tg_op = 'UPDATE' then row_count_written else 0 end,
            case when tg_op = 'DELETE' then row_count_written else 0 end,
            case when tg_op = 'TRUNCATE' then 1 else 0 end,
            now())
    on conflict (cutover_id, schema_name, table_name, writer) do update
       set inserted = w.inserted + excluded.inserted,
           updated = w.updated + excluded.updated,
           deleted = w.deleted + excluded.deleted,
           truncated = w.truncated + excluded.truncated,
           last_write_at = excluded.last_write_at;
    return null;
end
$fn$;

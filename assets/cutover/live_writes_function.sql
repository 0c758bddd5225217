-- Counts the rows each statement writes to a live table while a cutover is in effect, so that a
-- rollback can say how many rows it would lose (table migration.live_writes, Alembic 0003).
-- Statement-level triggers with transition tables: one counter update per statement, not per row.
-- TG_ARGV[0] is the application: the rows count towards its latest cutover while that one is
-- applied; otherwise (rolled back, a trigger a rollback could not remove) the trigger does nothing.
-- The writer is 'luma_sync' when the sync set cutover.writer, 'cutover' (not counted) for the
-- cutover's own copy, else 'application' (anything else: the apps, an operator's psql).
-- SECURITY DEFINER: the applications' roles write the live tables but have no business (and no
-- grant) in schema migration; the counter must never make their writes fail.
create or replace function migration.count_live_writes() returns trigger
language plpgsql security definer set search_path = pg_catalog, pg_temp as $fn$
declare
    row_count_written bigint := 0;
    current_writer text := coalesce(nullif(current_setting('cutover.writer', true), ''), 'application');
    latest_id bigint;
    latest_status text;
begin
    if current_writer = 'cutover' then
        return null;
    end if;
    select c.cutover_id, c.status into latest_id, latest_status
      from migration.cutovers c where c.app = tg_argv[0] order by c.cutover_id desc limit 1;
    if latest_id is null or latest_status <> 'applied' then
        return null;
    end if;
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
    values (latest_id, tg_table_schema, tg_table_name, current_writer,
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

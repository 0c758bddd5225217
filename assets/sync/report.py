"""What `cutover sync-luma` prints: the sync its Dagster run recorded in migration.luma_syncs."""

from __future__ import annotations


def last_sync_message(conn, run_id: str) -> str:
    row = conn.execute(
        """
        select sync_id, status, window_start, window_end, requests, events_upserted, attendance_upserted,
               target_schema, extract(epoch from finished_at - started_at), error
          from migration.luma_syncs where run_id = %s order by sync_id desc limit 1
        """,
        (run_id,),
    ).fetchone()
    if row is None:
        return f"Dagster run {run_id} recorded no Luma sync."
    sync_id, status, start, end, requests, events, attendance, schema, seconds, error = row
    if status != "success":
        return f"Luma sync {sync_id} {status}: {error}"
    return (f"Luma sync {sync_id}: window {start:%Y-%m-%d %H:%M} .. {end:%Y-%m-%d %H:%M} UTC, {requests} requests, "
            f"{events} events and {attendance} attendance rows changed in {schema}, {float(seconds or 0):.1f} s.")

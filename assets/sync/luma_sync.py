"""One incremental Luma sync (SPEC §2.3, §4; issue 6).

Luma has no "updated since" filter, so a sync bounds its work by time: it lists the calendar's
events in a window (default 2 days back .. 60 days ahead) and the guests of those events only,
merges them into raw_luma with the landing's own dlt source (write disposition merge), then
upserts the events and attendance of that load with set-based SQL (events_upsert.sql,
attendance_upsert.sql) into Hello Miami's live tables (in its database, `HELLO_MIAMI_DATABASE_URL`,
and its live schema, `HELLO_MIAMI_SCHEMA`), or into hello_miami_next while no cutover of Hello Miami
is in effect. It reads Luma as the dry-run does: the event, guest, stats and attendance-status rules
are the migrations' migration.luma_events, luma_guests and the aggregate luma_stats
(migrations/ddl/luma_events.sql, luma_guests.sql), which the models call too; the sync keeps its
window, the matching against the target's profiles, and the upsert. Its cost is one list-events
page per `pagination_limit` events in the window plus one guest page per event (more for events
with many guests), independent of the calendar's history.

Decisions:
- "The events of this sync" are the raw_luma.events rows of this sync's dlt load (merge rewrites
  every listed row with the new _dlt_load_id); rows of events the window does not cover are never
  read or written.
- Never two at once: the session advisory lock `cutover/exclusive` (shared with apply/rollback);
  a sync that finds it taken records a `skipped` row and ends cleanly. The Dagster job also carries
  the run tag `cutover/exclusive`, which the instance limits to one run.
- 429 / Retry-After are honoured by the source; the sync's request count is what the source's
  HTTP client sent, recorded in migration.luma_syncs with the rows changed.
- Writes are tagged `cutover.writer = luma_sync` so a rollback can say which lost rows came from
  the sync.
- One reading of Luma (issue 12). Where the sync's former copy of the rules read Luma otherwise
  than the dry-run, the dry-run's reading is the one kept, since it is the one the rule tests pin:
  a check-in time that does not parse no longer counts in stats.checkedIn; an empty `email` is
  no email (user_email is read only when email is absent); a non-text name or url (an object) is
  no value rather than its JSON text; a start_at that does not parse no longer falls back to the
  raw column dlt parsed from the same text; NaN coordinates are null; a guest-only attendance
  row's created_at is its registration, else its first check-in, else the sync's time.
- The matching of guests to members stays in each caller, because the members differ: the sync
  matches against the target's `profiles`, the dry-run against its candidate profiles (merged
  ones under their primary). Both pick alike: email first, then a user_api_id match before an
  api_id match against lumaAttendeeId, and among several profiles sharing one lumaAttendeeId the
  smallest id (the sync took the earliest created before; tests/test_sync_rules.py pins it).
- Events listed but no guest ever landed: the raw contract's empty raw_luma.guests is created
  (sql_models/raw_contract.sql, as the transform does) rather than the SQL rewritten.
"""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

from pipelines import targets
from pipelines.luma.window import Window, window  # noqa: F401 (the sync's window, shared with the change markers)

HERE = Path(__file__).resolve().parent
APP = "hello_miami"  # the Luma calendar is Hello Miami's source (registry): the sync is its alone


def target_schema(conn) -> str:
    """Hello Miami's live schema (HELLO_MIAMI_SCHEMA, default hello_miami) once its cutover is in
    effect, else its candidates (SPEC: before the first cutover)."""
    from assets.cutover.preconditions import cutover_in_effect

    target = targets.target(APP)
    return target.schema if cutover_in_effect(conn, APP) else target.candidate_schema


def database_url(configured: str | None = None) -> str:
    """The sync's database: Hello Miami's (HELLO_MIAMI_DATABASE_URL, else DATABASE_URL), unless
    the run's configuration names one."""
    return configured or targets.target(APP).url


def _start_row(conn, w: Window, run_id: str | None, status: str = "running", error: str | None = None) -> int:
    return conn.execute(
        """
        insert into migration.luma_syncs (started_at, window_start, window_end, requests, events_upserted,
                                          attendance_upserted, status, error, finished_at, run_id)
        values (now(), %s, %s, 0, 0, 0, %s, %s, case when %s <> 'running' then now() end, %s) returning sync_id
        """,
        (w.start, w.end, status, error, status, run_id),
    ).fetchone()[0]


def _finish_row(conn, sync_id: int, **values) -> None:
    sets = ", ".join(f"{k} = %({k})s" for k in values)
    conn.execute(f"update migration.luma_syncs set finished_at = now(), {sets} where sync_id = %(sync_id)s", {**values, "sync_id": sync_id})


def apply_rules(url: str, schema: str, load_id: str, synced_at: datetime) -> tuple[int, int]:
    """Upsert the load's events and attendance into `schema`; returns rows (events, attendance) changed."""
    from pipelines.database import connect

    params = {"load_id": load_id, "synced_at": synced_at.astimezone(timezone.utc).replace(tzinfo=None)}
    with connect(url) as conn:
        if conn.execute("select to_regclass('raw_luma.events') is null").fetchone()[0]:
            return 0, 0  # dlt creates a raw table with its first row: no event was ever listed
        if conn.execute("select to_regclass('raw_luma.guests') is null").fetchone()[0]:
            from assets.transform.models import ensure_raw_contract

            ensure_raw_contract(conn)  # events listed but no guest ever: an empty guest list
        conn.execute("select set_config('search_path', %s, true)", (schema,))
        conn.execute("select set_config('cutover.writer', 'luma_sync', true)")
        events = conn.execute((HERE / "events_upsert.sql").read_text(), params).fetchall()
        attendance = conn.execute((HERE / "attendance_upsert.sql").read_text(), params).fetchall()
    return len(events), len(attendance)


def run_sync(url: str, w: Window, run_id: str | None = None) -> dict:
    """One sync. Returns {"status": "success"|"skipped", "sync_id", "requests", "events_upserted",
    "attendance_upserted", "seconds", "target_schema", "message"}."""
    import time

    from assets.cutover import locks
    from assets.sync.luma_load import land_window
    from pipelines.database import connect

    started = time.monotonic()
    with connect(url, autocommit=True) as lock_conn:
        if not locks.try_hold_for_session(lock_conn):
            message = f"another {locks.holder(lock_conn)} is running (it holds the cutover lock); this sync did nothing."
            sync_id = _start_row(lock_conn, w, run_id, status="skipped", error=message)
            return {"status": "skipped", "sync_id": sync_id, "requests": 0, "events_upserted": 0, "attendance_upserted": 0,
                    "seconds": 0.0, "target_schema": None, "message": message}
        try:
            # holding the lock, any other 'running' sync is a process that died mid-sync
            lock_conn.execute("""update migration.luma_syncs set status = 'abandoned', finished_at = now(),
                                        error = 'the process running this sync ended before it finished'
                                  where status = 'running'""")
            sync_id = _start_row(lock_conn, w, run_id)
            synced_at = datetime.now(timezone.utc)
            schema = target_schema(lock_conn)
            requests = 0
            try:
                load_id, requests = land_window(url, w.start, w.end)
                events, attendance = apply_rules(url, schema, load_id, synced_at) if load_id else (0, 0)
            except Exception as exc:
                _finish_row(lock_conn, sync_id, status="failed", error=str(exc)[:2000], requests=requests, target_schema=schema)
                raise
            seconds = time.monotonic() - started
            _finish_row(lock_conn, sync_id, status="success", requests=requests, events_upserted=events,
                        attendance_upserted=attendance, target_schema=schema)
        finally:
            locks.release_session(lock_conn)
    message = (f"Luma sync {sync_id}: window {w.start:%Y-%m-%d %H:%M} .. {w.end:%Y-%m-%d %H:%M} UTC, {requests} requests, "
               f"{events} events and {attendance} attendance rows changed in {schema}, {seconds:.1f} s.")
    return {"status": "success", "sync_id": sync_id, "requests": requests, "events_upserted": events,
            "attendance_upserted": attendance, "seconds": seconds, "target_schema": schema, "message": message}

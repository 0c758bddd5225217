"""The run ledger and the count ledger's first hops (tables in schema `migration`).

Every phase calls these with a psycopg 3 connection; they upsert, so a step that is re-executed for
the same run overwrites its own rows instead of doubling them.
"""

from __future__ import annotations

import getpass
import os
from datetime import datetime


def operator() -> str:
    return os.environ.get("USER") or getpass.getuser()


def record_run_start(conn, run_id: str, job: str, snapshot_dir: str | None, captured_at: datetime | str | None,
                     apps: list[str] | None = None) -> None:
    """The run as 'running' in this process (pid, host), covering `apps`; runs whose process is
    gone are marked failed first (`fail_abandoned_runs`), and the new run's notes say so."""
    import socket

    conn.execute(
        """
        insert into migration.runs (run_id, job, started_at, status, snapshot_dir, captured_at, operator, pid, host, apps)
        values (%s, %s, now(), 'running', %s, %s, %s, %s, %s, %s)
        on conflict (run_id) do update
           set snapshot_dir = excluded.snapshot_dir,
               captured_at = coalesce(excluded.captured_at, migration.runs.captured_at),
               pid = excluded.pid, host = excluded.host, apps = coalesce(excluded.apps, migration.runs.apps)
        """,
        (run_id, job, snapshot_dir, captured_at, operator(), os.getpid(), socket.gethostname(), apps),
    )
    fail_abandoned_runs(conn, run_id)


def add_note(conn, on_run: str, kind: str, text: str, **details) -> None:
    """One note on run `on_run` (migration.runs.notes): what the CLI prints as a warning and the
    report shows."""
    import json

    conn.execute("update migration.runs set notes = notes || %s::jsonb where run_id = %s",
                 (json.dumps([{"kind": kind, "text": text, **details}]), on_run))


def notes(conn, run_id: str) -> list[dict]:
    row = conn.execute("select notes from migration.runs where run_id = %s", (run_id,)).fetchone()
    return list(row[0]) if row else []


def _process_gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # alive, someone else's
        return False
    return False


def fail_abandoned_runs(conn, run_id: str) -> list[str]:
    """Mark failed every run still 'running' whose process on this host is gone (killed, or the
    machine restarted), and note each on run `run_id`; returns their run ids. Runs of other hosts
    cannot be checked from here and are left as they are, as are runs recorded without a pid. A pid
    reused by a newer process keeps its run 'running' (the safe side) until that process ends."""
    import socket

    candidates = conn.execute(
        """select run_id, job, started_at, pid from migration.runs
            where status = 'running' and host = %s and pid is not null and run_id <> %s""",
        (socket.gethostname(), run_id),
    ).fetchall()
    gone = [row for row in candidates if _process_gone(row[3])]
    if not gone:
        return []
    conn.execute(
        """update migration.runs set status = 'failed', passed = false, finished_at = now()
            where run_id = any(%s) and status = 'running'""",
        ([row[0] for row in gone],),
    )
    for old_run, job, started_at, pid in gone:
        add_note(conn, run_id, "abandoned_run", (
            f"run {old_run} ({job}, started {started_at:%Y-%m-%d %H:%M:%S %Z}) was still 'running' but its process "
            f"(pid {pid}) is gone: it is now marked failed, in migration.runs and in Dagster's run history."),
            run_id=old_run)
    return [row[0] for row in gone]


def record_run_end(conn, run_id: str, status: str, passed: bool | None = None, report_dir: str | None = None) -> None:
    conn.execute(
        """
        update migration.runs
           set finished_at = now(), status = %s,
               passed = coalesce(%s, passed), report_dir = coalesce(%s, report_dir)
         where run_id = %s
        """,
        (status, passed, report_dir, run_id),
    )


def record_land_counts(conn, run_id: str, source: str, counts: dict[str, tuple[int | None, int | None]]) -> None:
    """counts: source table -> (count the source reported, count landed)."""
    with conn.cursor() as cur:
        cur.executemany(
            """
            insert into migration.count_ledger (run_id, source, source_table, source_count, landed)
            values (%s, %s, %s, %s, %s)
            on conflict (run_id, source, source_table) do update
               set source_count = excluded.source_count, landed = excluded.landed
            """,
            [(run_id, source, table, reported, landed) for table, (reported, landed) in sorted(counts.items())],
        )

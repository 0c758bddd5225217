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


def record_run_start(conn, run_id: str, job: str, snapshot_dir: str | None, captured_at: datetime | str | None) -> None:
    conn.execute(
        """
        insert into migration.runs (run_id, job, started_at, status, snapshot_dir, captured_at, operator)
        values (%s, %s, now(), 'running', %s, %s, %s)
        on conflict (run_id) do update
           set snapshot_dir = excluded.snapshot_dir,
               captured_at = coalesce(excluded.captured_at, migration.runs.captured_at)
        """,
        (run_id, job, snapshot_dir, captured_at, operator()),
    )


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

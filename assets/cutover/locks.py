"""The one lock that apply, rollback and the Luma sync share: PostgreSQL advisory lock
`cutover/exclusive` (the same name as the Dagster run tag whose concurrency the instance limits
to 1). The Dagster tag only governs queued runs (UI, schedule); the advisory lock also covers
in-process runs from the command line and runs on other Dagster instances."""

from __future__ import annotations

import os

LOCK_NAME = "cutover/exclusive"
RUN_TAGS = {"cutover/exclusive": "true"}


def lock_timeout_seconds() -> float:
    return float(os.environ.get("CUTOVER_LOCK_TIMEOUT_SECONDS", "60"))


def hold_for_transaction(conn) -> None:
    """Wait (at most CUTOVER_LOCK_TIMEOUT_SECONDS, also for the table locks that follow) for the
    lock; released at commit or rollback."""
    conn.execute("select set_config('lock_timeout', %s, true)", (f"{int(lock_timeout_seconds() * 1000)}ms",))
    # a killed client's transaction is noticed (and rolled back, releasing every lock) within a
    # second even while the server is busy, instead of when it next writes to the socket
    conn.execute("select set_config('client_connection_check_interval', '1000ms', true)")
    conn.execute("select pg_advisory_xact_lock(hashtext(%s))", (LOCK_NAME,))


def try_hold_for_session(conn) -> bool:
    """Take the lock without waiting; False when someone else holds it."""
    return bool(conn.execute("select pg_try_advisory_lock(hashtext(%s))", (LOCK_NAME,)).fetchone()[0])


def release_session(conn) -> None:
    conn.execute("select pg_advisory_unlock(hashtext(%s))", (LOCK_NAME,))

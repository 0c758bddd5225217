"""The one lock that dry-runs from the command line, apply, rollback and the Luma sync share:
PostgreSQL advisory lock `cutover/exclusive` (the same name as the Dagster run tag whose concurrency
the instance limits to 1). The Dagster tag only governs queued runs (UI, schedule); the advisory lock
also covers in-process runs from the command line and runs on other Dagster instances.

Whoever holds it names itself in `application_name` (`cutover <what>`), so the one who waits in
vain can say which is running.

A dry-run started from the UI (or the schedule, or anything that launches the job rather than
`cutover dry-run`) holds it too, through the resource `cutover_lock` (issue 16): decisions below
its class."""

from __future__ import annotations

import os
from contextlib import ExitStack, contextmanager
from contextvars import ContextVar

LOCK_NAME = "cutover/exclusive"
RUN_TAGS = {"cutover/exclusive": "true"}

# the databases whose lock this thread of control holds through `held`: a job run in process inside
# it (the CLI's dry-run) must not wait for its own caller; a context variable, so another thread's
# run (a test's, an embedding program's) is not taken for it
_HELD_HERE: ContextVar[frozenset] = ContextVar("cutover_lock_held_here", default=frozenset())


def lock_timeout_seconds() -> float:
    return float(os.environ.get("CUTOVER_LOCK_TIMEOUT_SECONDS", "60"))


def _timeout_and_name(conn, who: str, local: bool) -> None:
    conn.execute("select set_config('lock_timeout', %s, %s)", (f"{int(lock_timeout_seconds() * 1000)}ms", local))
    conn.execute("select set_config('application_name', %s, %s)", (f"cutover {who}", local))


def hold_for_transaction(conn, who: str = "apply or rollback") -> None:
    """Wait (at most CUTOVER_LOCK_TIMEOUT_SECONDS, also for the table locks that follow) for the
    lock; released at commit or rollback."""
    _timeout_and_name(conn, who, True)
    # a killed client's transaction is noticed (and rolled back, releasing every lock) within a
    # second even while the server is busy, instead of when it next writes to the socket
    conn.execute("select set_config('client_connection_check_interval', '1000ms', true)")
    conn.execute("select pg_advisory_xact_lock(hashtext(%s))", (LOCK_NAME,))


def try_hold_for_session(conn, who: str = "Luma sync") -> bool:
    """Take the lock without waiting; False when someone else holds it."""
    conn.execute("select set_config('application_name', %s, false)", (f"cutover {who}",))
    return bool(conn.execute("select pg_try_advisory_lock(hashtext(%s))", (LOCK_NAME,)).fetchone()[0])


def release_session(conn) -> None:
    conn.execute("select pg_advisory_unlock(hashtext(%s))", (LOCK_NAME,))


def holder(conn) -> str:
    """What holds the lock now, as its holder named itself ("cutover command" when it did not)."""
    row = conn.execute(
        """select a.application_name from pg_locks l join pg_stat_activity a on a.pid = l.pid
            where l.locktype = 'advisory' and l.granted and l.database = (select oid from pg_database where datname = current_database())
              and l.objid = (hashtext(%s)::bigint & 4294967295)::oid and l.pid <> pg_backend_pid()
            limit 1""",
        (LOCK_NAME,),
    ).fetchone()
    name = (row[0] if row else "") or ""
    return name.removeprefix("cutover ") if name.startswith("cutover ") else "cutover command"


@contextmanager
def held(urls, who: str):
    """The lock in every one of `urls` (each database once, in one order so two holders never
    deadlock) for the block; waits at most CUTOVER_LOCK_TIMEOUT_SECONDS, then a CutoverError naming
    what is running. Closing the connections releases it, also when the process dies."""
    import psycopg

    from pipelines.database import connect
    from pipelines.errors import CutoverError

    with ExitStack() as stack:
        mine = sorted(set(urls) - _HELD_HERE.get())
        for url in mine:
            conn = stack.enter_context(connect(url, autocommit=True))
            _timeout_and_name(conn, who, False)
            try:
                conn.execute("select pg_advisory_lock(hashtext(%s))", (LOCK_NAME,))
            except psycopg.errors.LockNotAvailable:
                raise CutoverError(
                    f"another {holder(conn)} is running (waited {lock_timeout_seconds():.0f} s for the cutover lock, "
                    f"CUTOVER_LOCK_TIMEOUT_SECONDS): wait for it to finish and run the {who} again."
                ) from None
        token = _HELD_HERE.set(_HELD_HERE.get() | set(mine))
        stack.callback(_HELD_HERE.reset, token)
        yield


def lock_resource():
    """The resource `cutover_lock` (built here so dagster is imported only by definitions)."""
    import dagster as dg

    class CutoverLockResource(dg.ConfigurableResource):
        """Holds the cutover lock for a whole run tagged `cutover/exclusive` (the dry-run jobs), in
        the databases of the job's applications; any other run passes through.

        Decisions (issue 16): the lock is per session, so it is held by one connection per database
        that this resource opens when the run's resources are set up and closes at teardown. Every
        job runs in process (assets/definitions.py), so one run worker sets the resources up once
        before its first step and tears them down after its last: the lock spans the run. The
        report step requires the resource, which is enough for the in-process executor to set it
        up at the start. A run that is killed loses its process, whose connections PostgreSQL
        closes, releasing the lock; a run that finds the lock taken waits
        CUTOVER_LOCK_TIMEOUT_SECONDS, then fails in its first step with the sentence naming who
        holds it. Inside `cutover dry-run`, which already holds it, the resource does nothing."""

        def yield_for_execution(self, context):
            return _held_for_run(self, context)

    return CutoverLockResource()


@contextmanager
def _held_for_run(resource, context):
    run = context.run
    if run is None or run.tags.get(LOCK_NAME) != RUN_TAGS[LOCK_NAME]:
        yield resource
        return
    from assets.job_names import apps_of_job
    from pipelines.targets import by_database

    # the same URLs `cutover dry-run` holds the lock in (assets/runner.py `databases`)
    with held(by_database(apps_of_job(run.job_name)), "dry-run"):
        yield resource

"""How the CLI runs the same Dagster jobs the UI shows: in process, on the project's instance.

The instance lives in `$DAGSTER_HOME` (default `.local/dagster`) and keeps its run history in
PostgreSQL, so a run started from the command line appears in `dagster dev`'s run list. Dagster's
storage uses `DAGSTER_PG_URL` when set; otherwise the embedded server's `dagster` database, or,
with `DATABASE_URL` set, that same database (Dagster's tables land in its `public` schema).
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import quote

from pipelines import settings
from pipelines.database import connect, database_url, with_database
from pipelines.long_lived import long_lived

# one instance configuration for `make ui`, the CLI and production (README "Deployment")
INSTANCE_YAML = Path(__file__).resolve().parent / "deploy" / "dagster.yaml"


# Dagster's storage sessions commit without waiting for the WAL flush (issue 17): dagster-postgres
# stores each event with its own INSERT and COMMIT (~1,300 per scale-1 dry-run), each waiting for
# an fsync. The event log is observability: a server crash may lose its last events (up to
# 3 x wal_writer_delay, 0.6 s by default), never corrupt the database (PostgreSQL's guarantee for
# synchronous_commit=off); the migration's own connections (pipelines/database.py) keep synchronous
# commits.
EVENT_LOG_SESSION = "options=" + quote("-c synchronous_commit=off")


def _psycopg2(url: str) -> str:
    # dagster-postgres is written for psycopg2 (its NOTIFY binds a parameter, which psycopg 3's
    # server-side binding rejects), and SQLAlchemy 2.1 made psycopg 3 the default driver.
    scheme, rest = url.split("://", 1)
    url = f"postgresql+psycopg2://{rest}" if scheme in ("postgresql", "postgres", "postgresql+psycopg") else url
    # a URL with session options of its own keeps them as they are (libpq takes one `options`)
    if "options=" in url.partition("?")[2]:
        return url
    return url + ("&" if "?" in url else "?") + EVENT_LOG_SESSION


_OURS = ("# Written by the project", "# The Dagster instance this project ships")
_DERIVED = "_CUTOVER_DERIVED_DAGSTER_PG_URL"
_USERS = "_CUTOVER_USER_DAGSTER_PG_URL"


def dagster_storage_url() -> str:
    """The user's DAGSTER_PG_URL when they set one, else derived from DATABASE_URL / the embedded server.

    prepare_dagster_home() writes the result back into DAGSTER_PG_URL (Dagster reads it from there),
    so a value equal to the one written last is ours, not the user's: the user's own setting is
    remembered beside it, and a value this module derived is derived again (a later DATABASE_URL wins).
    """
    explicit = os.environ.get("DAGSTER_PG_URL", "").strip()
    if not explicit:
        os.environ.pop(_USERS, None)
    elif explicit != os.environ.get(_DERIVED):
        os.environ[_USERS] = explicit
    if os.environ.get(_USERS):
        return _psycopg2(os.environ[_USERS])
    url = database_url()
    if os.environ.get("DATABASE_URL", "").strip():
        return _psycopg2(url)
    with connect(url, autocommit=True) as conn:
        if not conn.execute("select 1 from pg_database where datname = 'dagster'").fetchone():
            conn.execute("create database dagster")
    return _psycopg2(with_database(url, "dagster"))


def prepare_dagster_home() -> Path:
    """Point DAGSTER_HOME and DAGSTER_PG_URL at the project's instance, creating it if needed."""
    dagster_home = Path(os.environ.get("DAGSTER_HOME") or settings.home() / "dagster")
    dagster_home.mkdir(parents=True, exist_ok=True)
    config = dagster_home / "dagster.yaml"
    shipped = INSTANCE_YAML.read_text()
    # a file the project wrote (older versions wrote their own first line) follows the shipped one;
    # a file someone wrote by hand is theirs
    if not config.exists() or (config.read_text() != shipped and config.read_text().startswith(_OURS)):
        config.write_text(shipped)
    os.environ["DAGSTER_HOME"] = str(dagster_home)
    os.environ["DAGSTER_PG_URL"] = os.environ[_DERIVED] = dagster_storage_url()
    return dagster_home


def instance():
    import dagster as dg

    prepare_dagster_home()
    return dg.DagsterInstance.get()


def run_job(job_name: str, run_config: dict | None = None, tags: dict | None = None, *, quiet: bool = True, dagster_instance=None,
            apps: list[str] | None = None):
    """Execute job `job_name` of the code location in process; returns the ExecuteInProcessResult.
    `apps`: the applications whose databases the job writes (default: the default database).

    The result is returned even when a step failed: callers decide the exit status from it and
    from the gate results the run recorded.
    """
    with long_lived():  # the definitions and the instance live as long as the process
        from assets.definitions import defs

        job = defs.resolve_job_def(job_name)
        dagster_instance = dagster_instance or instance()
    config = dict(run_config or {})
    if quiet:
        # the CLI says what failed in one sentence; Dagster's own log (tracebacks included) stays in
        # the run history and shows with `cutover -v`
        config.setdefault("loggers", {"console": {"config": {"log_level": "CRITICAL"}}})
    # dagster-postgres opens a connection per event it stores unless told to pool (NullPool, so a
    # long-lived instance holds none): a scale-1 dry-run stored ~3,000 events, 1.7 ms of connection
    # each here against 0.14 ms pooled. An in-process run is short-lived: pool, as the webserver does.
    dagster_instance.optimize_for_webserver(statement_timeout=0, pool_recycle=3600, max_overflow=8)
    from assets.executor import execute_in_process

    result = execute_in_process(job, run_config=config, instance=dagster_instance, tags=tags)
    fail_abandoned_dagster_runs(dagster_instance, result.run_id, apps)
    return result


def databases(apps: list[str] | None) -> list[str]:
    """The databases of `apps` (each once), or the default database when none is named."""
    from pipelines.targets import by_database

    return list(by_database(apps)) if apps else [database_url()]


def fail_abandoned_dagster_runs(dagster_instance, run_id: str, apps: list[str] | None = None) -> None:
    """Dagster's side of the runs that run `run_id` found abandoned (pipelines/ledger.py
    `fail_abandoned_runs`: their process is gone): reported failed through the instance, so they
    stop showing as STARTED. Dagster's own run monitoring needs its daemon and a run launcher; the
    CLI's in-process runs have neither."""
    from pipelines.ledger import notes

    found = []
    for url in databases(apps):
        with connect(url) as conn:
            found += [note for note in notes(conn, run_id) if note.get("kind") == "abandoned_run"]
    for note in found:
        run = dagster_instance.get_run_by_id(note["run_id"])
        if run is not None and not run.is_finished:
            dagster_instance.report_run_failed(run, message=note["text"])


def print_notes(command: str, run_id: str, apps: list[str] | None = None) -> None:
    """The run's notes (migration.runs.notes, in each database of `apps`) as warnings on stderr: a
    run that had to mark an abandoned one failed, a snapshot without manifest.json (said once)."""
    import sys

    from pipelines.ledger import notes

    said = []
    for url in databases(apps):
        with connect(url) as conn:
            said += [note["text"] for note in notes(conn, run_id) if note["text"] not in said]
    for text in said:
        print(f"cutover {command}: warning: {text}", file=sys.stderr)

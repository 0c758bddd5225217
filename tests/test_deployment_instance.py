"""The shipped Dagster instance (assets/deploy/dagster.yaml) loads on a real PostgreSQL and says
what the README's "Deployment" section promises: PostgreSQL storage for runs, events and
schedules; a run queue that never runs two `cutover/exclusive` runs at once; run monitoring."""

import shutil

import pytest


@pytest.fixture
def shipped_instance(db_url, tmp_path, monkeypatch):
    import dagster as dg

    from assets.runner import INSTANCE_YAML, _psycopg2

    shutil.copy(INSTANCE_YAML, tmp_path / "dagster.yaml")
    monkeypatch.setenv("DAGSTER_PG_URL", _psycopg2(db_url))
    instance = dg.DagsterInstance.from_config(str(tmp_path))
    yield instance
    instance.dispose()


def test_the_shipped_instance_keeps_everything_in_postgres(shipped_instance):
    from dagster_postgres import PostgresEventLogStorage, PostgresRunStorage, PostgresScheduleStorage

    assert isinstance(shipped_instance.run_storage, PostgresRunStorage)
    assert isinstance(shipped_instance.event_log_storage, PostgresEventLogStorage)
    assert isinstance(shipped_instance.schedule_storage, PostgresScheduleStorage)


def test_the_queue_runs_one_exclusive_run_at_a_time_and_monitoring_fails_dead_runs(shipped_instance):
    from dagster._core.run_coordinator import QueuedRunCoordinator

    from assets.cutover.locks import LOCK_NAME, RUN_TAGS

    assert isinstance(shipped_instance.run_coordinator, QueuedRunCoordinator)
    limits = shipped_instance.get_concurrency_config().run_queue_config.tag_concurrency_limits
    assert {"key": LOCK_NAME, "limit": 1} in [dict(limit) for limit in limits]
    assert LOCK_NAME in RUN_TAGS
    assert shipped_instance.run_monitoring_enabled
    assert shipped_instance.run_monitoring_max_resume_run_attempts == 0


def test_the_cli_and_make_ui_write_the_shipped_file_and_keep_a_hand_written_one(tmp_path, monkeypatch):
    from assets import runner

    monkeypatch.setattr(runner, "dagster_storage_url", lambda: "postgresql+psycopg2://u@h/d")
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "ours"))
    runner.prepare_dagster_home()
    assert (tmp_path / "ours" / "dagster.yaml").read_text() == runner.INSTANCE_YAML.read_text()
    older = tmp_path / "older"
    older.mkdir()
    (older / "dagster.yaml").write_text("# Written by the project (assets/runner.py). Run history in PostgreSQL\ntelemetry: {}\n")
    monkeypatch.setenv("DAGSTER_HOME", str(older))
    runner.prepare_dagster_home()
    assert (older / "dagster.yaml").read_text() == runner.INSTANCE_YAML.read_text()
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "dagster.yaml").write_text("telemetry:\n  enabled: true\n")
    monkeypatch.setenv("DAGSTER_HOME", str(mine))
    runner.prepare_dagster_home()
    assert (mine / "dagster.yaml").read_text() == "telemetry:\n  enabled: true\n"


def test_every_job_runs_in_one_process_like_the_cli():
    """The UI's runs use the CLI's executor, in one process (assets/definitions.py, assets/executor.py):
    a process per step made a UI dry-run ~3x slower than the CLI's."""
    from assets.executor import threaded_in_process_executor

    from assets.definitions import defs

    names = [job.name for job in defs.resolve_all_job_defs() if not job.name.startswith("__")]
    assert {"land", "dry_run", "apply", "rollback", "sync_luma"} <= set(names)
    assert {name: defs.resolve_job_def(name).executor_def.name for name in names} == {
        name: threaded_in_process_executor.name for name in names}


def test_dagster_storage_commits_without_waiting_for_the_wal_flush(shipped_instance):
    """Dagster's storage sessions (the URL runner._psycopg2 makes, pooled as run_job pools them) run
    synchronous_commit=off (issue 17: one commit per stored event); a URL with its own session
    options keeps them as written."""
    import sqlalchemy as sa

    from assets.runner import _psycopg2

    shipped_instance.optimize_for_webserver(statement_timeout=0, pool_recycle=3600, max_overflow=8)
    # each storage's own engine (no public handle on its sessions)
    for connect in (shipped_instance.event_log_storage._connect, shipped_instance.run_storage.connect):
        with connect() as conn:
            assert conn.execute(sa.text("show synchronous_commit")).scalar() == "off"
    own = "postgresql+psycopg2://u@h/d?options=-c%20search_path%3Dx"
    assert _psycopg2(own) == own

"""The foundation: the code location loads, configuration mistakes are one clear sentence, and
every component reaches both the embedded server and an ordinary URL."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


def cutover(*args: str, env: dict | None = None, timeout: int = 300) -> subprocess.CompletedProcess:
    full_env = {**os.environ, **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "assets.cli", *args],
        cwd=REPO, env=full_env, capture_output=True, text=True, timeout=timeout,
    )


def test_dagster_definitions_validate():
    result = subprocess.run(
        [str(Path(sys.executable).parent / "dagster"), "definitions", "validate", "-w", "workspace.yaml"],
        cwd=REPO, capture_output=True, text=True, timeout=300,
        # an in-process CLI test of this worker may have pointed these at a database dropped since
        env={k: v for k, v in os.environ.items() if k not in ("DAGSTER_HOME", "DAGSTER_PG_URL") and not k.startswith("_CUTOVER_")},
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "All code locations passed validation" in result.stdout + result.stderr


def test_definitions_hold_the_phase_jobs():
    from assets.definitions import defs

    for job in ("land", "dry_run"):
        assert defs.resolve_job_def(job).name == job


def test_unreachable_database_is_one_sentence():
    result = cutover("migrate", env={"DATABASE_URL": "postgresql://nobody:secret@127.0.0.1:1/nothing"})
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "cannot connect to DATABASE_URL" in lines[0]
    assert "secret" not in result.stderr  # the password is never printed


def test_missing_snapshot_directory_is_named(tmp_path):
    missing = tmp_path / "no-such-snapshot"
    result = cutover("land", "--snapshot", str(missing))
    assert result.returncode == 1
    assert str(missing) in result.stderr and "does not exist" in result.stderr
    assert "Traceback" not in result.stderr


def test_missing_live_credentials_name_the_setting(db_url):
    env = {k: "" for k in ("AIRTABLE_API_KEY", "AIRTABLE_BASE_ID", "MONGO_URI", "LUMA_API_KEY")}
    result = cutover("land", env=env)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert any(name in result.stderr for name in env), result.stderr


def test_migrate_command_brings_an_empty_database_to_head(empty_db_url):
    result = cutover("migrate", env={"DATABASE_URL": empty_db_url})
    assert result.returncode == 0, result.stderr
    from pipelines.database import connect

    with connect(empty_db_url) as conn:
        schemas = {r[0] for r in conn.execute("select schema_name from information_schema.schemata")}
    assert {"podium", "hello_miami", "podium_next", "hello_miami_next", "migration"} <= schemas


@pytest.mark.parametrize(
    "url, expected",
    [
        ("postgresql://u:p%40ss@db.example:5433/app", "postgresql://u:p%40ss@db.example:5433/app"),
        ("postgresql://u@db.example/app", "postgresql://u:trust@db.example/app"),
        ("postgresql://postgres:@/postgres?host=/tmp/pg%20x", "postgresql://postgres:trust@%2Ftmp%2Fpg%20x/postgres"),
    ],
)
def test_dlt_credentials_accept_host_and_socket_urls(url, expected):
    from pipelines.database import dlt_credentials

    assert dlt_credentials(url) == expected


def test_dlt_lands_into_the_test_database(db_url, tmp_path):
    import dlt

    from pipelines.database import connect, dlt_credentials

    pipeline = dlt.pipeline(
        "foundation_probe", destination=dlt.destinations.postgres(credentials=dlt_credentials(db_url)),
        dataset_name="probe", pipelines_dir=str(tmp_path),
    )
    pipeline.run([{"id": 1, "doc": {"a": [1, 2]}}], table_name="t", columns={"doc": {"data_type": "json"}}, loader_file_format="csv")
    with connect(db_url) as conn:
        assert conn.execute("select doc from probe.t").fetchone()[0] == {"a": [1, 2]}


def test_dagster_keeps_run_history_in_postgres(db_url, tmp_path, monkeypatch):
    import dagster as dg

    from assets import runner

    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "dagster_home"))
    monkeypatch.setenv("DAGSTER_PG_URL", db_url)
    instance = runner.instance()
    assert type(instance.run_storage).__name__ == "PostgresRunStorage"

    @dg.op
    def hello():
        return 1

    @dg.job
    def probe():
        hello()

    result = probe.execute_in_process(instance=instance)
    assert result.success
    assert [run.run_id for run in instance.get_runs()] == [result.run_id]


def test_dagster_storage_follows_a_changed_database_url(monkeypatch, tmp_path):
    from assets import runner

    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("DAGSTER_PG_URL", raising=False)
    monkeypatch.setenv("DATABASE_URL", "postgresql://u@host-one/db1")
    runner.prepare_dagster_home()
    assert os.environ["DAGSTER_PG_URL"] == f"postgresql+psycopg2://u@host-one/db1?{runner.EVENT_LOG_SESSION}"
    monkeypatch.setenv("DATABASE_URL", "postgresql://u@host-two/db2")
    runner.prepare_dagster_home()
    assert os.environ["DAGSTER_PG_URL"] == f"postgresql+psycopg2://u@host-two/db2?{runner.EVENT_LOG_SESSION}"
    monkeypatch.setenv("DAGSTER_PG_URL", "postgresql://ops@dagster-host/dagster")  # the user's own wins
    runner.prepare_dagster_home()
    assert os.environ["DAGSTER_PG_URL"] == f"postgresql+psycopg2://ops@dagster-host/dagster?{runner.EVENT_LOG_SESSION}"

"""Dry-runs, apply, rollback and the Luma sync never overlap, whichever of the UI or the CLI starts
them (issue 16): the jobs carry the run tag the shipped instance's queue limits to one, and the
command line holds the PostgreSQL advisory lock of the same name for a dry-run too. A second one
waits at most CUTOVER_LOCK_TIMEOUT_SECONDS, then says in one sentence which one is running."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import pytest

from tests.test_config_errors import one_line
from tests.test_foundation import REPO


@pytest.fixture
def env(db_url, tmp_path, monkeypatch):
    monkeypatch.delenv("DAGSTER_PG_URL", raising=False)
    return {**{k: v for k, v in os.environ.items() if not k.startswith("_CUTOVER_")},
            "DATABASE_URL": db_url, "DAGSTER_HOME": str(tmp_path / "dagster_home"),
            "CUTOVER_QUARANTINE_CEILING": "0.9"}  # a tiny dirty sample quarantines more than the real base


def _cutover(*args, env) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "assets.cli", *args], cwd=REPO, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _holder(db_url) -> str | None:
    from assets.cutover import locks
    from pipelines.database import connect

    with connect(db_url, autocommit=True) as conn:
        held = conn.execute(
            "select count(*) from pg_locks where locktype = 'advisory' and granted and objid = (hashtext(%s)::bigint & 4294967295)::oid",
            (locks.LOCK_NAME,)).fetchone()[0]
        return locks.holder(conn) if held else None


def test_every_job_that_must_run_alone_carries_the_exclusive_tag():
    from assets.cutover.locks import RUN_TAGS
    from assets.definitions import defs
    from pipelines import registry

    exclusive = ["dry_run", *(f"{app}_dry_run" for app in registry.APPLICATIONS), "apply", "rollback", "sync_luma"]
    assert {name: {k: defs.resolve_job_def(name).tags.get(k) for k in RUN_TAGS} for name in exclusive} == \
        {name: RUN_TAGS for name in exclusive}


def test_a_cli_dry_run_waits_for_an_apply_then_names_it(db_url, env):
    from assets.cutover import locks
    from pipelines.database import connect

    with connect(db_url, autocommit=True) as apply_conn:
        apply_conn.execute("begin")
        locks.hold_for_transaction(apply_conn, "apply")  # as an apply started from the UI holds it
        started = time.monotonic()
        process = _cutover("dry-run", env={**env, "CUTOVER_LOCK_TIMEOUT_SECONDS": "2"})
        out, err = process.communicate(timeout=300)
        apply_conn.execute("rollback")
    line = one_line(subprocess.CompletedProcess(process.args, process.returncode, out, err))
    assert time.monotonic() - started >= 2  # it waited the lock timeout first
    assert line == ("cutover dry-run: another apply is running (waited 2 s for the cutover lock, "
                    "CUTOVER_LOCK_TIMEOUT_SECONDS): wait for it to finish and run the dry-run again."), line


@pytest.mark.slow  # two whole CLI dry-runs (~27 s): .ci/run's slow step
def test_two_cli_dry_runs_at_once_the_second_is_refused_and_the_first_links_its_report(db_url, env, tmp_path, monkeypatch):
    import dagster as dg

    from assets import runner
    from assets.cli import main

    assert main(["sample", "--out", str(tmp_path / "snap"), "--scale", "0.01"]) == 0
    first = _cutover("dry-run", "--snapshot", str(tmp_path / "snap"), "--report-dir", str(tmp_path / "r1"), env=env)
    deadline = time.monotonic() + 120
    while _holder(db_url) != "dry-run":
        assert first.poll() is None and time.monotonic() < deadline, first.communicate()
        time.sleep(0.2)
    second = _cutover("dry-run", "--snapshot", str(tmp_path / "snap"), "--report-dir", str(tmp_path / "r2"),
                      env={**env, "CUTOVER_LOCK_TIMEOUT_SECONDS": "1"})
    out, err = second.communicate(timeout=300)
    line = one_line(subprocess.CompletedProcess(second.args, second.returncode, out, err))
    assert line.startswith("cutover dry-run: another dry-run is running (waited 1 s for the cutover lock"), line
    assert not (tmp_path / "r2").exists()  # refused before it ran anything
    out, err = first.communicate(timeout=900)
    assert first.returncode == 0, out + err

    # the dry-run's own run wrote and links its report; no separate report run was needed
    run_id = json.loads((tmp_path / "r1" / "reconciliation.json").read_text())["run_id"]
    monkeypatch.setenv("DAGSTER_HOME", env["DAGSTER_HOME"])
    instance = runner.instance()  # the one the command used: its storage is the test's database
    events = instance.all_logs(run_id, of_type=dg.DagsterEventType.ASSET_MATERIALIZATION)
    reports = [e.dagster_event.event_specific_data.materialization for e in events
               if e.dagster_event.event_specific_data.materialization.asset_key == dg.AssetKey(["reports", "dry_run"])]
    assert len(reports) == 1
    assert reports[0].metadata["report"].value == str((tmp_path / "r1" / "report.html").resolve())
    assert instance.get_runs(dg.RunsFilter(job_name="dry_run_report")) == []

"""Issue 16: a dry-run launched as the UI launches it (the job executed by a run worker, not under
`cutover dry-run`'s lock) holds the cutover lock for its whole run, so a CLI apply that starts
meanwhile refuses as it does beside a CLI dry-run (exit 1 after CUTOVER_LOCK_TIMEOUT_SECONDS);
the lock is free again when the run ends. The CLI's own dry-run is not held up by it."""

from __future__ import annotations

import threading
import time

import pytest

from assets.cutover import locks
from pipelines.database import connect


@pytest.fixture(autouse=True)
def _own_dagster_storage(monkeypatch, tmp_path):
    monkeypatch.delenv("DAGSTER_PG_URL", raising=False)
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "dagster_home"))


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    from assets.cli import main

    out = tmp_path_factory.mktemp("sample") / "snap"
    assert main(["sample", "--out", str(out), "--scale", "0.25"]) == 0
    return out


def _held_by(url: str) -> str | None:
    """Who holds the cutover lock in `url` now (None: nobody)."""
    with connect(url, autocommit=True) as conn:
        if conn.execute("select pg_try_advisory_lock(hashtext(%s))", (locks.LOCK_NAME,)).fetchone()[0]:
            locks.release_session(conn)
            return None
        return locks.holder(conn)


@pytest.mark.slow
def test_a_ui_dry_run_holds_the_lock_and_a_cli_apply_refuses(db_url, sample, monkeypatch, capsys):
    import dagster as dg

    from assets.cli import main
    from assets.definitions import defs

    job = defs.resolve_job_def("podium_dry_run")
    assert job.tags.get(locks.LOCK_NAME) == "true" and "cutover_lock" in job.resource_defs
    done: dict = {}

    def ui_run():  # what the run worker does with the Launchpad's config
        done["result"] = job.execute_in_process(
            run_config={"resources": {"sources": {"config": {"snapshot_dir": str(sample)}}}},
            instance=dg.DagsterInstance.ephemeral(), raise_on_error=False)

    worker = threading.Thread(target=ui_run)
    worker.start()
    try:
        deadline = time.monotonic() + 60
        while _held_by(db_url) != "dry-run" and worker.is_alive() and time.monotonic() < deadline:
            time.sleep(0.2)
        assert _held_by(db_url) == "dry-run", "the UI-style dry-run never took the cutover lock"
        monkeypatch.setenv("CUTOVER_LOCK_TIMEOUT_SECONDS", "1")
        assert main(["apply", "--app", "podium"]) == 1
        assert "holds the cutover lock" in capsys.readouterr().err
        assert worker.is_alive()  # refused while the dry-run was still running
    finally:
        worker.join(timeout=600)
    assert done["result"].success
    assert _held_by(db_url) is None  # released when the run ended
    with connect(db_url) as conn:
        assert conn.execute("select count(*) from migration.cutovers").fetchone()[0] == 0


@pytest.mark.slow
def test_the_cli_dry_run_is_not_held_up_by_its_own_lock(db_url, sample, monkeypatch):
    """`cutover dry-run` holds the lock and runs the job in process: the job's resource sees it
    held by this process and does not wait for it (it would wait forever for itself)."""
    from assets.cli import main

    monkeypatch.setenv("CUTOVER_LOCK_TIMEOUT_SECONDS", "2")
    assert main(["dry-run", "--app", "podium", "--snapshot", str(sample)]) == 0
    assert _held_by(db_url) is None

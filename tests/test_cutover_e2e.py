"""End to end from the command line, as an operator runs it: sample -> dry-run -> apply -> sync ->
rollback, each a subprocess of `cutover` on one database and one Dagster instance."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from pipelines.database import connect
from tests.standins.luma import LumaStandin
from tests.test_cutover_apply import contents, dagster_db, dagster_env  # noqa: F401
from tests.test_sync_luma import luma_event, luma_guest

REPO = Path(__file__).resolve().parent.parent


def cutover(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "assets.cli", *args], cwd=REPO, env={**os.environ, **(env or {})},
                          capture_output=True, text=True, timeout=600)


def live(url: str) -> dict:
    with connect(url) as conn:
        return {s: contents(conn, s) for s in ("podium", "hello_miami")}


@pytest.mark.slow
def test_dry_run_apply_sync_rollback_from_the_command_line(db_url, dagster_env, tmp_path, monkeypatch):
    operator_flow(db_url, tmp_path, monkeypatch)


def operator_flow(db_url: str, tmp_path: Path, monkeypatch) -> None:
    """sample -> dry-run -> apply -> sync -> rollback on DATABASE_URL = db_url (also run against a
    distribution's PostgreSQL server by tests/test_distribution_server.py)."""
    # a tiny dirty sample quarantines a larger share than the real base: raise the ceiling (the
    # operator's setting), so that this test is about the cutover, not about the sample's dirt
    monkeypatch.setenv("CUTOVER_QUARANTINE_CEILING", "0.9")
    sample = tmp_path / "sample"
    assert cutover("sample", "--out", str(sample), "--scale", "0.02").returncode == 0
    dry = cutover("dry-run", "--snapshot", str(sample), "--report-dir", str(tmp_path / "report"))
    assert dry.returncode == 0, dry.stdout + dry.stderr
    with connect(db_url) as conn:
        candidates = {s: contents(conn, f"{s}_next") for s in ("podium", "hello_miami")}
    before = live(db_url)

    applied = cutover("apply")
    assert applied.returncode == 0, applied.stderr
    assert live(db_url) == candidates  # the live tables equal what the dry-run built and judged
    assert cutover("apply").stdout.count("already live") == 2  # twice is safe (one line per application)

    # the scheduled sync runs on the new live tables: a member registers for next week's event
    with connect(db_url) as conn:
        email = conn.execute("select luma_email from hello_miami.profiles order by luma_email limit 1").fetchone()[0]
    event = luma_event("evt-next-week", "Hack night", 7)
    with LumaStandin([event], {"evt-next-week": [luma_guest("gst-1", email)]}) as luma:
        synced = cutover("sync-luma", env={"LUMA_BASE_URL": luma.url, "LUMA_API_KEY": luma.api_key})
    assert synced.returncode == 0, synced.stderr
    assert "2 requests, 1 events and 1 attendance rows changed in hello_miami" in synced.stdout

    refused = cutover("rollback")
    assert refused.returncode == 3
    assert "hello_miami.attendance: 1 rows (1 inserted, 0 updated, 0 deleted; 1 by the Luma sync)" in refused.stderr
    rolled = cutover("rollback", "--force")
    assert rolled.returncode == 0, rolled.stderr
    assert live(db_url) == before  # exactly the state before the cutover
    assert "already rolled back" in cutover("rollback").stdout

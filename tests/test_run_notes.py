"""Issue 15 items 7 and 8: a manifest count that is not a number, a snapshot without manifest.json,
and a dry-run killed with SIGKILL. Each ends in words naming what happened (stderr, the report),
and nothing already landed changes."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from assets.cli import main
from pipelines.database import connect
from tests.killed_landing import REPO, reap, sigkill, wait_for
from tests.test_landing_all_or_none import adjust_manifest, copy_snapshot, dagster_home, raw_state, sample  # noqa: F401


def test_a_manifest_count_that_is_not_a_number_is_one_sentence_and_lands_nothing(db_url, sample, tmp_path, dagster_home, capsys):  # noqa: F811
    assert main(["land", "--snapshot", str(sample)]) == 0
    before = {source: raw_state(db_url, source) for source in ("airtable", "mongo", "luma")}
    bad = copy_snapshot(sample, tmp_path)
    manifest = json.loads((bad / "manifest.json").read_text())
    manifest["counts"]["airtable.events"] = "abc"
    (bad / "manifest.json").write_text(json.dumps(manifest))
    capsys.readouterr()
    assert main(["land", "--snapshot", str(bad)]) == 1
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1, lines
    assert "manifest.json: counts['airtable.events'] is \"abc\", not a whole number" in lines[0], lines[0]
    assert {source: raw_state(db_url, source) for source in before} == before


@pytest.mark.slow  # ~30 s: keeps `make test` under 10 min; run by .ci/run's slow step
def test_a_snapshot_without_manifest_lands_with_a_warning_the_report_repeats(db_url, sample, tmp_path, dagster_home, capsys):  # noqa: F811
    bare = copy_snapshot(sample, tmp_path)
    (bare / "manifest.json").unlink()
    assert main(["land", "--snapshot", str(bare)]) == 0
    err = capsys.readouterr().err
    assert f"cutover land: warning: {bare / 'manifest.json'} is missing: the count ledger's first hop" in err, err
    main(["dry-run", "--snapshot", str(bare), "--report-dir", str(tmp_path / "report")])
    assert "manifest.json is missing" in capsys.readouterr().err
    report = (tmp_path / "report" / "report.html").read_text()
    assert f"{bare / 'manifest.json'} is missing" in report
    assert any("manifest.json is missing" in n for n in json.loads((tmp_path / "report" / "reconciliation.json").read_text())["notes"])


def run_status(url, run_id):
    with connect(url) as conn:
        row = conn.execute("select status, finished_at is not null from migration.runs where run_id = %s", (run_id,)).fetchone()
    return row


@pytest.mark.slow  # ~30 s: keeps `make test` under 10 min; run by .ci/run's slow step
def test_a_killed_dry_run_is_marked_failed_by_the_next_run_in_both_places(db_url, sample, tmp_path, dagster_home, capsys):  # noqa: F811
    import dagster as dg

    from assets.runner import instance

    log = tmp_path / "killed.log"
    env = {**os.environ}
    with open(log, "wb") as stderr:
        proc = subprocess.Popen([sys.executable, "-m", "assets.cli", "dry-run", "--snapshot", str(sample), "--report-dir",
                                 str(tmp_path / "killed-report")], cwd=REPO, env=env, stdout=subprocess.DEVNULL,
                                stderr=stderr, start_new_session=True)
    try:
        def landed_run():  # mid-way: the run is recorded and its landing has counted something
            with connect(db_url) as conn:
                row = conn.execute("""select r.run_id from migration.runs r join migration.count_ledger l using (run_id)
                                       where r.status = 'running' limit 1""").fetchone()
            return row[0] if row else None

        killed = wait_for(landed_run, proc, "the dry-run's landing", log, timeout=180)
        sigkill(proc)
    finally:
        reap(proc)
    assert run_status(db_url, killed) == ("running", False)
    assert instance().get_run_by_id(killed).status == dg.DagsterRunStatus.STARTED

    main(["dry-run", "--snapshot", str(sample), "--report-dir", str(tmp_path / "report")])
    err = capsys.readouterr().err
    assert f"warning: run {killed} (dry_run" in err and "is now marked failed" in err, err
    assert run_status(db_url, killed) == ("failed", True)
    assert instance().get_run_by_id(killed).status == dg.DagsterRunStatus.FAILURE
    assert f"run {killed} (dry_run" in (tmp_path / "report" / "report.html").read_text()

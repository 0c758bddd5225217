"""`make bench` in miniature (scale 0.05, one dry-run, apply and rollback): every code path of the benchmark, so it cannot
rot between real runs. Real embedded PostgreSQL, real `cutover dry-run` child, real Dagster event log."""

from __future__ import annotations

import json

import pytest

from bench.__main__ import main
from bench.report import ROWS
from bench.sample import ensure_sample

PHASES = ["land", "land_gate", "transform", "transform_gate", "reconcile", "reconcile_gate", "report"]


@pytest.mark.slow  # ~30 s: keeps `make test` under 10 min; run by .ci/run's slow step
def test_bench_smoke_writes_every_phase_and_the_targets(admin_url, monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("DATABASE_URL", admin_url)
    monkeypatch.setenv("CUTOVER_QUARANTINE_CEILING", "0.9")  # a tiny dirty sample passes, so the cutover is timed too
    out = tmp_path / "result.json"
    assert main(["--scales", "0.05", "--no-listing", "--out", str(out)]) == 0  # listings: test_live_listing_speed.py

    result = json.loads(out.read_text())
    run = result["scales"]["0.05"]
    phases = run["timings"]["phases"]
    for phase in PHASES:
        assert phases[phase] > 0, phase
    assert set(phases) <= set(ROWS)
    assert {s.split("__")[0] for s in run["timings"]["gates"]} == {"land_gate", "transform_gate", "reconcile_gate"}
    table = {r["phase"]: r for r in run["table"]}
    assert all(table[p]["seconds"] > 0 and table[p]["records"] > 0 for p in PHASES)
    assert table["land"]["ratio"] > 0 and table["transform_gate"]["ratio"] > 0
    assert run["floors"]["landing_s"] > 0 and run["floors"]["validation_s"] > 0 and run["floors"]["candidate_rows"] > 0
    assert run["floors"]["landing_records"] == run["records"]
    overhead = run["timings"]["overhead"]
    assert overhead["process_start_to_run_start_s"] > 0 and overhead["steps"] > 0
    # apply and rollback each keep the replaced rows and insert as many (live was filled with the candidates first)
    copied = run["floors"]["candidate_rows"] * 2
    assert [(table[p]["records"], table[p]["seconds"] > 0) for p in ("cutover_apply", "cutover_rollback")] == [(copied, True)] * 2
    assert run["dry_run"]["exit_code"] in (0, 3) and run["dry_run"]["peak_rss_bytes"] >= run["dry_run"]["peak_pss_bytes"] > 0
    # scale 0.05 is neither scale 1 nor 100: the targets' table says so rather than judge it (bench/report.py
    # judging: tests/test_bench_targets.py)
    assert result["listing"] is None and set(result["targets"]) == {"limits"}
    printed = capsys.readouterr().out
    assert "transform_gate" in printed and "targets (issue 17)" in printed
    assert "| scale-1 land gate (s) | | not run (scale 1) | | |" in printed
    with_bench = [n for (n,) in _databases(admin_url) if n.startswith("bench_")]
    assert with_bench == [], "the scratch database is dropped"


def test_sample_with_other_seed_is_regenerated_not_reused(tmp_path):
    stale = tmp_path / "sample-scale0.05-seed7"
    stale.mkdir()
    (stale / "manifest.json").write_text(json.dumps({"counts": {"airtable.users": 1}}))
    (stale / "bench-sample.json").write_text(json.dumps({"scale": 0.05, "seed": 8}))

    sample, records = ensure_sample(tmp_path, 0.05, 7)

    assert sample == stale and records > 1
    assert json.loads((stale / "bench-sample.json").read_text()) == {"scale": 0.05, "seed": 7}


def _databases(admin_url):
    from pipelines.database import connect

    with connect(admin_url, autocommit=True) as conn:
        return conn.execute("select datname from pg_database").fetchall()

"""`cutover dry-run` end to end in a real Dagster run: exit status, report files on pass and on
fail, masking, and a blocking gate that stops the downstream phases."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.model_fixtures import rows

SCALE = "0.25"


@pytest.fixture(autouse=True)
def _own_dagster_storage(monkeypatch):
    """assets.runner exports DAGSTER_PG_URL for the first database it sees; each test has its own."""
    monkeypatch.delenv("DAGSTER_PG_URL", raising=False)


@pytest.fixture(scope="module")
def sample(tmp_path_factory) -> Path:
    from assets.cli import main

    out = tmp_path_factory.mktemp("sample") / "snap"
    assert main(["sample", "--out", str(out), "--scale", SCALE]) == 0
    return out


def _copy(sample: Path, tmp_path: Path) -> Path:
    import shutil

    target = tmp_path / "snap"
    shutil.copytree(sample, target)
    return target


def test_dry_run_passes_writes_report_and_masks_personal_data(db_url, sample, tmp_path, capsys):
    from assets.cli import main

    report = tmp_path / "report"
    assert main(["dry-run", "--snapshot", str(sample), "--report-dir", str(report)]) == 0
    data = json.loads((report / "reconciliation.json").read_text())
    assert data["passed"] is True and data["run_id"]
    for table in data["tables"]:
        assert table["source_count"] == table["migrated"] + table["merged"] + table["quarantined"], table
        assert set(table) >= {"source", "table", "source_count", "landed", "migrated", "merged", "quarantined", "quarantine_reasons"}
    phases = {g["phase"] for g in data["gates"]}
    assert phases == {"land", "transform", "reconcile"}
    assert all({"phase", "name", "passed", "failed"} <= set(g) for g in data["gates"])

    html = (report / "report.html").read_text()
    assert "Podium: ready to cut over" in html and "Hello Miami: ready to cut over" in html and 'href="data_docs/index.html"' in html
    assert {app: v["passed"] for app, v in data["apps"].items()} == {"podium": True, "hello_miami": True}
    assert (report / "data_docs" / "index.html").exists()
    assert "<link" not in html and "<script" not in html  # self-contained
    emails = [r[0] for r in rows(db_url, "select lower(trim(fields->>'email')) from raw_airtable.users where fields ? 'email'")]
    leaked = [e for e in emails if e and e in html.lower()]
    assert leaked == []
    assert not re.search(r"[a-z0-9._%+-]{2,}@[a-z0-9.-]+\.[a-z]{2,}", html.replace("***@", ""))

    run = rows(db_url, "select passed, report_dir, finished_at is not null from migration.runs where run_id = %s", (data["run_id"],))
    assert run == [(True, str(report.resolve()), True)]
    assert rows(db_url, "select count(*) from migration.gate_results where run_id = %s and phase = 'reconcile'", (data["run_id"],))[0][0] > 0


def test_dry_run_with_a_mapped_field_missing_stops_and_reports_why(db_url, sample, tmp_path, capsys):
    """The original Podium backfill's mistake: the field read for flags is not in the base."""
    from assets.cli import main

    snap = _copy(sample, tmp_path)
    schema_path = snap / "airtable" / "schema.json"
    schema = json.loads(schema_path.read_text())
    for table in schema["tables"]:
        table["fields"] = [f for f in table["fields"] if f["name"] != "feature_flags_csv"]
    schema_path.write_text(json.dumps(schema))
    events = snap / "airtable" / "events.jsonl"
    records = [json.loads(line) for line in events.read_text().splitlines() if line.strip()]
    for record in records:
        record["fields"].pop("feature_flags_csv", None)
    events.write_text("".join(json.dumps(r) + "\n" for r in records))

    report = tmp_path / "report"
    assert main(["dry-run", "--snapshot", str(snap), "--report-dir", str(report)]) == 3
    err = capsys.readouterr().err
    assert "feature_flags_csv" in err and "gate failed: land" in err
    data = json.loads((report / "reconciliation.json").read_text())
    assert data["passed"] is False
    failing = [g for g in data["gates"] if not g["passed"] and g["severity"] == "error"]
    assert any("feature_flags_csv" in g["message"] for g in failing)
    html = (report / "report.html").read_text()
    assert "Podium: not ready to cut over" in html and "feature_flags_csv" in html
    assert data["apps"]["podium"]["passed"] is False  # Podium's land gate; Hello Miami is judged on its own gates
    assert not any("airtable" in reason or "podium" in reason for reason in data["apps"]["hello_miami"]["reasons"])
    # the blocking gate stopped the downstream phases: no candidate row was built
    assert rows(db_url, "select count(*) from podium_next.events")[0][0] == 0
    assert rows(db_url, "select passed from migration.runs where run_id = %s", (data["run_id"],)) == [(False,)]

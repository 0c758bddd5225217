"""Issue 18 / SPEC §6: the report per application. A run of one application writes only its tables,
gates and verdict; a combined run shows both verdicts; "changed since the previous run" compares
runs of the same application; each application's part is read from its own database.

The runs are recorded in the `migration` tables as the dry-run records them (run, count ledger,
gate results), so the report is judged on exactly what it reads; the full dry-runs that write such
rows are in tests/test_report_content.py."""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta, timezone

import pytest

from pipelines import registry
from pipelines.database import connect
from tests.conftest import migrated_database

T0 = datetime(2026, 11, 1, tzinfo=timezone.utc)
PHASES = ("land", "transform", "reconcile")


def record_run(url: str, run_id: str, job: str, apps: list[str], minutes: int, counts: dict[str, int] | None = None,
               failing: dict[str, str] | None = None, listed_apps: list[str] | None = None) -> None:
    """A finished dry-run of `apps`: the ledger of their source tables (`counts`: source.table -> source
    count, default 10) and one passing gate per phase and application, but `failing`: app -> message."""
    counts, failing = counts or {}, failing or {}
    with connect(url, autocommit=True) as conn:
        conn.execute("insert into migration.runs (run_id, job, started_at, finished_at, status) values (%s, %s, %s, %s, 'success')",
                     (run_id, job, T0 + timedelta(minutes=minutes), T0 + timedelta(minutes=minutes + 1)))
        if listed_apps is not None:
            conn.execute("update migration.runs set apps = %s where run_id = %s", (listed_apps, run_id))
        for app in apps:
            for t in registry.tables(application=app):
                n = counts.get(f"{t.source}.{t.name}", 10)
                conn.execute("""insert into migration.count_ledger (run_id, source, source_table, source_count, landed, migrated,
                                       merged, quarantined, target_table, candidate_count) values (%s, %s, %s, %s, %s, %s, 0, 0, %s, %s)""",
                             (run_id, t.source, t.name, n, n, n, f"{app}_next.{t.feeds[0]}", n))
            for phase in PHASES:
                bad = phase == "reconcile" and app in failing
                conn.execute("""insert into migration.gate_results (run_id, phase, application, name, severity, passed, failed_count, message)
                                values (%s, %s, %s, %s, 'error', %s, %s, %s)""",
                             (run_id, phase, app, f"{phase} rule", not bad, int(bad), failing.get(app) if bad else None))


def write(run_id: str, directory, succeeded: bool = True) -> tuple[dict, str]:
    from assets.gates import report

    report.write(run_id, directory, succeeded, None)
    return json.loads((directory / "reconciliation.json").read_text()), (directory / "report.html").read_text()


def verdicts(page: str) -> dict[str, str]:
    return {app: re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", text)).strip()
            for app, text in re.findall(r'<div class="verdict \w+" id="verdict-(\w+)">(.*?)</div>', page, re.S)}


def test_a_run_of_one_application_reports_only_that_application(db_url, tmp_path):
    record_run(db_url, "both-1", "dry_run", ["podium", "hello_miami"], 0, failing={"hello_miami": "hm rule failed"})
    record_run(db_url, "podium-1", "podium_dry_run", ["podium"], 10)
    data, page = write("podium-1", tmp_path)
    assert {t["source"] for t in data["tables"]} == {"airtable"}
    assert {g["application"] for g in data["gates"]} == {"podium"}
    assert list(data["apps"]) == ["podium"] and data["apps"]["podium"]["passed"] is True and data["passed"] is True
    assert list(verdicts(page)) == ["podium"]
    assert verdicts(page)["podium"].startswith("Podium: ready to cut over.")
    assert "Hello Miami" not in page and "mongo." not in page
    with connect(db_url) as conn:  # the other application's failure of an earlier run does not count
        assert conn.execute("select passed from migration.runs where run_id = 'podium-1'").fetchone() == (True,)


def test_a_combined_run_shows_each_applications_own_verdict(db_url, tmp_path):
    record_run(db_url, "both-1", "dry_run", ["podium", "hello_miami"], 0, failing={"hello_miami": "mongo.profiles: over its ceiling"})
    data, page = write("both-1", tmp_path, succeeded=False)
    assert data["passed"] is False
    assert data["apps"]["podium"]["passed"] is True and data["apps"]["podium"]["reasons"] == []
    assert data["apps"]["hello_miami"] == {**data["apps"]["hello_miami"], "passed": False, "reasons": ["mongo.profiles: over its ceiling"]}
    shown = verdicts(page)
    assert list(shown) == ["podium", "hello_miami"]  # at the top, before the ledger
    assert page.index('id="verdict-hello_miami"') < page.index("<h2>Where every record went</h2>")
    assert shown["podium"].startswith("Podium: ready to cut over.")
    assert shown["hello_miami"].startswith("Hello Miami: not ready to cut over. Why: mongo.profiles: over its ceiling")
    assert {t["source"] for t in data["tables"]} == {"airtable", "mongo", "luma"}


def test_a_run_that_errored_without_a_failing_gate_holds_back_every_application(db_url, tmp_path):
    from assets.gates import report

    record_run(db_url, "both-err", "dry_run", ["podium"], 0)  # Hello Miami never judged
    report.write("both-err", tmp_path, False, "landing mongo failed: boom.")
    data = json.loads((tmp_path / "reconciliation.json").read_text())
    assert data["apps"]["hello_miami"]["passed"] is False
    assert "the run stopped with an error: landing mongo failed: boom." in data["apps"]["hello_miami"]["reasons"]
    assert data["apps"]["podium"]["passed"] is False  # an error nobody's gates explain


def test_another_applications_failed_gate_is_not_given_as_this_ones_reason(db_url, tmp_path):
    from assets.gates import report

    record_run(db_url, "both-gate", "dry_run", ["podium"], 0, failing={"podium": "airtable.users: over its ceiling"})
    report.write("both-gate", tmp_path, False, "step reconcile_gate__podium failed: airtable.users: over its ceiling.")
    data = json.loads((tmp_path / "reconciliation.json").read_text())
    assert data["apps"]["podium"]["reasons"] == ["airtable.users: over its ceiling"]
    assert data["apps"]["hello_miami"]["reasons"] == ["these phases were never judged: land, transform, reconcile"]


def test_history_compares_runs_of_the_same_application(db_url, tmp_path):
    record_run(db_url, "both-1", "dry_run", ["podium", "hello_miami"], 0)
    record_run(db_url, "podium-1", "podium_dry_run", ["podium"], 10, counts={"airtable.users": 12})
    record_run(db_url, "hm-1", "hello_miami_dry_run", ["hello_miami"], 20, counts={"mongo.profiles": 7})
    data, page = write("hm-1", tmp_path / "hm")
    # Hello Miami's previous run is the combined one, not Podium's later run
    assert data["apps"]["hello_miami"]["previous_run_id"] == "both-1" == data["previous_run_id"]
    assert [(c["source"], c["source_table"], c["source_count"]) for c in data["apps"]["hello_miami"]["changes"]] == [
        ("mongo", "profiles", -3)]
    assert "Compared with run <code>both-1</code>." in page
    record_run(db_url, "podium-2", "podium_dry_run", ["podium"], 30)
    data, _ = write("podium-2", tmp_path / "podium")
    assert data["apps"]["podium"]["previous_run_id"] == "podium-1"
    assert [(c["source_table"], c["source_count"]) for c in data["apps"]["podium"]["changes"]] == [("users", -2)]
    record_run(db_url, "both-2", "dry_run", ["podium", "hello_miami"], 40)
    data, page = write("both-2", tmp_path / "both")
    assert {app: v["previous_run_id"] for app, v in data["apps"].items()} == {"podium": "podium-2", "hello_miami": "hm-1"}
    assert data["previous_run_id"] is None  # no one run both were compared with
    assert "Compared with run <code>podium-2</code>." in page and "Compared with run <code>hm-1</code>." in page


def test_runs_apps_is_used_where_recorded(db_url, tmp_path):
    """migration.runs.apps (revision 0009, added here where this branch lacks it) says what a run
    covered, also for a run of the combined job and for the previous run."""
    with connect(db_url, autocommit=True) as conn:
        conn.execute("alter table migration.runs add column if not exists apps text[]")
    record_run(db_url, "hm-1", "dry_run", ["hello_miami"], 0, listed_apps=["hello_miami"])
    record_run(db_url, "podium-1", "dry_run", ["podium"], 10, listed_apps=["podium"])
    data, page = write("podium-1", tmp_path)
    assert list(data["apps"]) == ["podium"] and list(verdicts(page)) == ["podium"]
    assert data["apps"]["podium"]["previous_run_id"] is None  # hm-1 did not cover Podium
    record_run(db_url, "podium-2", "dry_run", ["podium"], 20, listed_apps=["podium"])
    data, _ = write("podium-2", tmp_path / "2")
    assert data["apps"]["podium"]["previous_run_id"] == "podium-1"


@pytest.fixture
def hello_miami_db(admin_url, template_db, monkeypatch):
    with migrated_database(admin_url, template_db) as url:
        monkeypatch.setenv("HELLO_MIAMI_DATABASE_URL", url)
        yield url


def test_each_application_is_read_from_its_own_database(db_url, hello_miami_db, tmp_path):
    """Podium in DATABASE_URL's database, Hello Miami in HELLO_MIAMI_DATABASE_URL's: a combined run
    has its rows in both; each verdict comes from its own, and each database's run row is marked
    with its own application's outcome."""
    record_run(db_url, "both-1", "dry_run", ["podium"], 0, failing={"podium": "airtable.users: over its ceiling"})
    record_run(hello_miami_db, "both-1", "dry_run", ["hello_miami"], 0)
    data, _ = write("both-1", tmp_path, succeeded=False)
    assert {app: v["passed"] for app, v in data["apps"].items()} == {"podium": False, "hello_miami": True}
    assert {t["source"] for t in data["tables"]} == {"airtable", "mongo", "luma"}
    for url, passed in ((db_url, False), (hello_miami_db, True)):
        with connect(url) as conn:
            assert conn.execute("select passed, report_dir from migration.runs where run_id = 'both-1'").fetchone() == (passed, str(tmp_path))

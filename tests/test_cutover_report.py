"""Issue 20: `cutover apply` and `cutover rollback` write their own report.html and
reconciliation.json (assets/cutover/report.py), applied or refused: the verdict, the tables, what
each check found (the source check per table, live writes, lost rows, foreign keys), the counts
before and after, and the dry-run's report linked; the command prints where, the run carries it.

The live sources and the seeded dry-run are test_source_changes' (Airtable stand-in, mongomock) and
test_cutover_apply's / test_live_rows' helpers.
"""

from __future__ import annotations

import json

from pipelines.database import connect
from tests.test_cutover_apply import cli, dagster_db, dagster_env, seed_candidates, seed_live, uid  # noqa: F401
from tests.test_live_rows import land_live
from tests.test_source_changes import AIRTABLE_WRITES, MONGO_WRITES, TABLES, airtable, mongo  # noqa: F401

# the people in the seeded rows (tests/test_cutover_apply.py): never in a report
SEEDED_EMAILS = ("old@example.org", "u0@example.org", "u1@example.org", "a@example.org", "b@example.org", "signed-in@example.org")


def _report(capsys, tmp_path) -> tuple[str, dict, str]:
    """(the printed report path, its reconciliation.json, its report.html), checked to be this run's and masked."""
    out = capsys.readouterr().out
    printed = [line.split("report: ", 1)[1] for line in out.splitlines() if line.startswith("report: ")]
    assert len(printed) == 1, out
    page = printed[0]
    assert page.startswith(str(tmp_path / "reports")) and page.endswith("/report.html")
    data = json.loads(open(page.replace("report.html", "reconciliation.json")).read())
    html = open(page).read()
    assert not any(email in text for email in SEEDED_EMAILS for text in (html, json.dumps(data)))
    return page, data, html


def _check(app_part: dict, name: str) -> dict:
    return next(c for c in app_part["checks"] if c["check"] == name)


def test_an_applied_apply_reports_the_source_check_and_the_counts(airtable, db_url, capsys, tmp_path):
    import dagster as dg

    with connect(db_url) as conn:
        conn.execute("update migration.runs set report_dir = %s where run_id = 'dry-1'", (str(tmp_path / "reports" / "dry-1"),))
    assert cli("apply", "--app", "podium") == 0
    page, data, html = _report(capsys, tmp_path)
    podium = data["apps"]["podium"]
    assert data["kind"] == "apply" and data["status"] == "applied" and list(data["apps"]) == ["podium"]
    assert podium["status"] == "applied" and podium["dry_run_id"] == "dry-1" and podium["dry_run_report"] == "../dry-1/report.html"
    assert podium["cutover_id"] == 1 and "users" in podium["tables"] and "events" in podium["tables"]
    source = _check(podium, "source check")
    assert source["passed"] and source["found"] == {"check": "Airtable webhook payloads", "found": "unchanged",
                                                     "tables": [f"airtable.{t}" for t in TABLES], "requests": {"airtable": 1}}
    assert _check(podium, "live writes since the dry-run") == {"check": "live writes since the dry-run", "passed": True, "found": {"written": {}}}
    assert _check(podium, "no live row lost")["passed"] and _check(podium, "foreign keys")["found"] == {"dangling": []}
    assert podium["counts_before"]["podium.users"] == 1 and podium["counts_after"]["podium.users"] == 2
    assert podium["counts_after"] == podium["candidate_counts"] and podium["counts_after"]["podium.events"] == 1
    assert "Podium: applied." in html and "Airtable webhook payloads" in html and 'href="../dry-1/report.html"' in html
    assert "no source record was created, changed or deleted since the dry-run" in html
    runs = dg.DagsterInstance.get().get_runs(filters=dg.RunsFilter(job_name="apply"))
    assert runs[0].tags["cutover/report_html"] == page  # the Dagster run carries it


def test_a_source_change_refuses_apply_with_a_report_naming_the_table_and_the_counts(mongo, db_url, capsys, tmp_path):
    MONGO_WRITES["created"](mongo)
    MONGO_WRITES["deleted"](mongo)
    assert cli("apply", "--app", "hello_miami") == 3
    _, data, html = _report(capsys, tmp_path)
    part = data["apps"]["hello_miami"]
    assert data["status"] == "refused" and part["status"] == "refused"
    assert "mongo.projects has 1 created and 1 deleted record(s) since dry-run dry-1." in part["sentence"]
    source = _check(part, "source check")
    assert not source["passed"] and source["source_check"]["changes"] == {"mongo.projects": {"created": 1, "changed": 0, "deleted": 1}}
    assert sum(source["source_check"]["requests"].values()) == 11
    assert part["counts_after"] == part["counts_before"] and part["counts_before"]["hello_miami.profiles"] == 1
    assert [c["check"] for c in part["checks"]][-1] == "source check"  # the live checks never ran
    assert "Hello Miami: refused." in html and "live MongoDB" in html and "REFUSED" in html
    with connect(db_url) as conn:
        assert conn.execute("select count(*) from migration.cutovers").fetchone()[0] == 0


def _written_after_the_dry_run(db_url, write: str) -> None:
    """A dry-run that landed the live tables, then the application's `write` to them."""
    with connect(db_url) as conn:
        seed_live(conn)
        seed_candidates(conn)
    land_live(db_url)
    with connect(db_url) as conn:
        conn.execute(write)


def test_a_live_write_since_the_dry_run_refuses_apply_with_a_report(db_url, dagster_env, capsys, tmp_path):
    _written_after_the_dry_run(db_url, f"insert into hello_miami.profiles (id, luma_email) values ('{uid('dry-1-p1')}', 'signed-in@example.org')")
    assert cli("apply", "--app", "hello_miami") == 3
    _, data, html = _report(capsys, tmp_path)
    part = data["apps"]["hello_miami"]
    writes = _check(part, "live writes since the dry-run")
    assert not writes["passed"] and writes["written"] == {"hello_miami.profiles": {"new_or_edited": 1, "gone_or_edited": 0}}
    assert part["counts_before"]["hello_miami.profiles"] == 2 == part["counts_after"]["hello_miami.profiles"]
    assert "hello_miami.profiles" in html and "rows new or edited" in html


def test_one_report_holds_each_applications_verdict(db_url, dagster_env, capsys, tmp_path):
    """Without --app: Podium applied, Hello Miami refused (a live write), one report saying both."""
    _written_after_the_dry_run(db_url, f"update hello_miami.profiles set bio = 'edited' where id = '{uid('dry-1-p0')}'")
    assert cli("apply") == 3
    _, data, html = _report(capsys, tmp_path)
    assert data["status"] == "refused" and {a: p["status"] for a, p in data["apps"].items()} == {"podium": "applied", "hello_miami": "refused"}
    assert _check(data["apps"]["podium"], "source check")["found"]["check"] == "none"  # a live dry-run without markers
    assert data["apps"]["hello_miami"]["counts_after"] == data["apps"]["hello_miami"]["counts_before"]
    assert "Podium: applied." in html and "Hello Miami: refused." in html and "no source check ran" in html


def test_a_refused_apply_of_a_missing_setting_names_it_without_the_secret(airtable, db_url, monkeypatch, capsys, tmp_path):
    monkeypatch.delenv("AIRTABLE_API_KEY")
    assert cli("apply", "--app", "podium") != 0
    _, data, html = _report(capsys, tmp_path)
    assert "AIRTABLE_API_KEY" in data["apps"]["podium"]["sentence"]
    assert airtable.api_key not in html and airtable.api_key not in json.dumps(data)


def test_rollback_reports_the_writes_since_the_cutover_and_the_counts(db_url, dagster_env, capsys, tmp_path):
    with connect(db_url) as conn:
        seed_live(conn)
        seed_candidates(conn)
    assert cli("apply", "--app", "podium") == 0
    capsys.readouterr()
    with connect(db_url) as conn:
        conn.execute("update podium.users set first_name = 'Edited' where id = %s", (uid("dry-1-u0"),))

    assert cli("rollback", "--app", "podium") == 3  # the write would be lost: refused, and said in the report
    _, data, _ = _report(capsys, tmp_path)
    part = data["apps"]["podium"]
    assert data["kind"] == "rollback" and part["status"] == "refused" and part["forced"] is False
    written = _check(part, "writes since the cutover")["written"]
    assert [(w["table"], w["updated"]) for w in written] == [("podium.users", 1)]
    assert part["counts_after"] == part["counts_before"]

    assert cli("rollback", "--app", "podium", "--force", "--report-dir", str(tmp_path / "reports" / "mine")) == 0
    page, data, html = _report(capsys, tmp_path)
    part = data["apps"]["podium"]
    assert page == str(tmp_path / "reports" / "mine" / "report.html")
    assert part["status"] == "rolled_back" and part["forced"] is True and part["cutover_id"] == 1 and part["dry_run_id"] == "dry-1"
    assert part["counts_before"]["podium.users"] == 2 and part["counts_after"]["podium.users"] == 1
    assert _check(part, "counts as before the cutover")["passed"]
    assert "Podium: rolled back." in html and "Tables restored" in html and "1 table(s) written since the cutover: those writes were lost" in html

    assert cli("rollback", "--app", "podium") == 0  # nothing left to roll back: a report all the same
    _, data, html = _report(capsys, tmp_path)
    assert data["status"] == "noop" and data["apps"]["podium"]["checks"] == [] and "there was nothing to do" in html


def test_a_report_that_cannot_be_written_does_not_undo_the_apply(db_url, dagster_env, capsys, tmp_path):
    (tmp_path / "a-file").write_text("")
    with connect(db_url) as conn:
        seed_live(conn)
        seed_candidates(conn)
    assert cli("apply", "--app", "podium", "--report-dir", str(tmp_path / "a-file")) == 0  # the verdict stands
    out = capsys.readouterr().out
    assert "report: " not in out and "podium: cutover 1" in out
    with connect(db_url) as conn:
        assert conn.execute("select status from migration.cutovers").fetchall() == [("applied",)]

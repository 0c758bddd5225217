"""Issue 20: writes to the live sources after a live dry-run are found at `cutover apply`, which
refuses (exit 3) naming how many records were created, changed or deleted per table; with no write,
apply proceeds and the Airtable check stays within its documented requests.

A live landing (Airtable: the HTTP stand-in; MongoDB: mongomock behind `readers.live_database`)
records the markers; the candidates and the dry-run's ledger are seeded by hand as in
test_cutover_apply, the markers moved onto that dry-run.
"""

from __future__ import annotations

import datetime as dt

import pytest

from pipelines import markers
from pipelines.database import connect
from tests.standins.airtable import AirtableStandIn, podium_tables
from tests.test_cutover_apply import cli, dagster_db, dagster_env, seed_candidates, seed_live  # noqa: F401
from tests.test_mongo_source import sample_documents

RECORDS = 30
TABLES = sorted(podium_tables(3))


def _land_live(db_url, source: str) -> None:
    """A live landing of `source`, its markers then belonging to the seeded dry-run `dry-1`."""
    from pipelines import land

    land.land(source, None, "land-1", db_url)
    with connect(db_url) as conn:
        seed_live(conn)
        seed_candidates(conn)  # dry-1: live (no snapshot_dir), passed
        conn.execute("update migration.source_markers set run_id = 'dry-1' where run_id = 'land-1'")


@pytest.fixture
def airtable(db_url, dagster_env, monkeypatch):
    with AirtableStandIn(podium_tables(RECORDS), lock_seconds=1.0) as standin:
        for key, value in standin.env(wait=1.0).items():
            monkeypatch.setenv(key, value)
        _land_live(db_url, "airtable")
        standin.log.clear()
        yield standin


@pytest.fixture
def mongo(db_url, dagster_env, monkeypatch):
    import mongomock

    from pipelines.mongo import readers
    from pipelines.mongo.collections import COLLECTIONS

    database = mongomock.MongoClient()["hm_test"]
    for name in COLLECTIONS:
        database[name].insert_many(sample_documents(name, 4))
    monkeypatch.setattr(readers, "live_database", lambda client=None: database)
    _land_live(db_url, "mongo")
    return database


def _cutovers(db_url) -> list[tuple]:
    with connect(db_url) as conn:
        return conn.execute("select app, detail->'source_check' from migration.cutovers order by cutover_id").fetchall()


def test_live_dry_run_records_a_marker_per_table(airtable, db_url):
    with connect(db_url) as conn:
        rows = conn.execute("select application, source, source_table, record_count, since from migration.source_markers order by 3").fetchall()
    assert [r[2] for r in rows] == TABLES
    assert {r[:2] for r in rows} == {("podium", "airtable")} and {r[3] for r in rows} == {RECORDS}
    now = dt.datetime.now(dt.timezone.utc)
    assert all(now - dt.timedelta(minutes=5) < r[4] < now - markers.clock_skew() for r in rows)


def test_unchanged_airtable_applies_within_the_documented_requests(airtable, db_url, capsys):
    assert cli("apply", "--app", "podium") == 0
    assert "no source record was created, changed or deleted since the dry-run (5 tables checked live)" in capsys.readouterr().out
    tables = len(TABLES)
    # one filtered listing (nothing changed: one empty page) and one page of ids per table
    assert len(airtable.log) == tables * markers.airtable_requests(RECORDS) == 2 * tables
    assert sum(1 for entry in airtable.log if entry[3] == 200) == len(airtable.log)
    assert _cutovers(db_url) == [("podium", {"check": "live source markers", "found": "unchanged", "tables": [f"airtable.{t}" for t in TABLES]})]


AIRTABLE_WRITES = {
    "created": lambda s: s.create("votes", {"id": "recvotNEW00001", "createdTime": "2026-11-30T23:00:00.000Z", "fields": {}}),
    "changed": lambda s: s.update("votes", s.tables["votes"][3]["id"], {"voter": ["recuse00000009"]}),
    "deleted": lambda s: s.delete("votes", s.tables["votes"][5]["id"]),
}


@pytest.mark.parametrize("kind", sorted(AIRTABLE_WRITES))
def test_an_airtable_write_after_the_dry_run_refuses_apply(airtable, db_url, capsys, kind):
    AIRTABLE_WRITES[kind](airtable)
    assert cli("apply", "--app", "podium") == 3
    err = capsys.readouterr().err
    assert f"airtable.votes has 1 {kind} record(s) since dry-run dry-1." in err and "run `cutover dry-run` again" in err
    assert "airtable.users" not in err
    assert _cutovers(db_url) == []  # nothing moved


def test_airtable_created_changed_and_deleted_counted_in_one_sentence(airtable, db_url, capsys):
    for write in AIRTABLE_WRITES.values():
        write(airtable)
    airtable.update("users", airtable.tables["users"][0]["id"], {"city": "x"})
    assert cli("apply", "--app", "podium") == 3
    err = capsys.readouterr().err
    assert "airtable.users has 1 changed record(s) since dry-run dry-1." in err
    assert "airtable.votes has 1 created, 1 changed and 1 deleted record(s) since dry-run dry-1." in err


def test_unchanged_mongo_applies(mongo, db_url, capsys):
    assert cli("apply", "--app", "hello_miami") == 0
    assert "no source record was created, changed or deleted since the dry-run (11 tables checked live)" in capsys.readouterr().out
    assert _cutovers(db_url)[0][1]["check"] == "live source markers"


MONGO_WRITES = {
    "created": lambda d: d["projects"].insert_many(sample_documents("projects", 1)),
    "changed": lambda d: d["projects"].update_one({"name": "projects-1"}, {"$set": {"name": "x", "updatedAt": dt.datetime.now(dt.timezone.utc)}}),
    "deleted": lambda d: d["projects"].delete_one({"name": "projects-2"}),
}


@pytest.mark.parametrize("kind", sorted(MONGO_WRITES))
def test_a_mongo_write_after_the_dry_run_refuses_apply(mongo, db_url, capsys, kind):
    MONGO_WRITES[kind](mongo)
    assert cli("apply", "--app", "hello_miami") == 3
    err = capsys.readouterr().err
    assert f"mongo.projects has 1 {kind} record(s) since dry-run dry-1." in err
    assert "mongo.badges" not in err
    assert _cutovers(db_url) == []


def test_a_mongo_change_without_updated_at_is_invisible(mongo, db_url):
    """The documented limit: an edit that sets no newer updatedAt and keeps the count is not seen."""
    mongo["projects"].update_one({"name": "projects-1"}, {"$set": {"name": "edited by hand"}})
    assert cli("apply", "--app", "hello_miami") == 0


def test_snapshot_dry_run_keeps_the_manifest_check(db_url, dagster_env, tmp_path, capsys):
    import json

    (tmp_path / "manifest.json").write_text(json.dumps({"captured_at": "2024-02-01T00:00:00Z", "counts": {"airtable.users": 2}}))
    with connect(db_url) as conn:
        seed_live(conn)
        seed_candidates(conn, snapshot_dir=str(tmp_path), captured_at=dt.datetime(2024, 2, 1, tzinfo=dt.timezone.utc))
    assert cli("apply", "--app", "podium") == 0
    assert "the snapshot's manifest is unchanged" in capsys.readouterr().out
    assert _cutovers(db_url) == [("podium", {"check": "snapshot manifest", "found": "unchanged"})]


def test_a_missing_airtable_setting_at_apply_is_one_sentence(airtable, db_url, monkeypatch, capsys):
    monkeypatch.delenv("AIRTABLE_API_KEY")
    assert cli("apply", "--app", "podium") != 0
    err = capsys.readouterr().err.strip()
    assert "AIRTABLE_API_KEY" in err and len(err.splitlines()) == 1 and "Traceback" not in err
    assert airtable.api_key not in err
    assert _cutovers(db_url) == []


def test_a_live_land_through_dagster_records_the_markers_of_its_run(db_url, dagster_env, monkeypatch):
    """The Dagster path (`cutover land --app podium`, live): the markers belong to the run the ledger names."""
    with AirtableStandIn(podium_tables(RECORDS), lock_seconds=1.0) as standin:
        for key, value in standin.env(wait=1.0).items():
            monkeypatch.setenv(key, value)
        assert cli("land", "--app", "podium") == 0
    with connect(db_url) as conn:
        ledger_runs = {r[0] for r in conn.execute("select distinct run_id from migration.count_ledger where source = 'airtable'")}
        rows = conn.execute("select run_id, source_table, record_count from migration.source_markers order by 2").fetchall()
    assert len(ledger_runs) == 1 and {r[0] for r in rows} == ledger_runs
    assert [(r[1], r[2]) for r in rows] == [(t, RECORDS) for t in TABLES]

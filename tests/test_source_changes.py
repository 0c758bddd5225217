"""Issue 20: writes to the live sources after a live dry-run are found at `cutover apply`, which
refuses (exit 3) naming how many records were created, changed or deleted per table; with no write,
apply proceeds and the Airtable check stays within its documented requests.

A live landing (Airtable: the HTTP stand-in; MongoDB: mongomock behind `readers.live_database`)
records the markers; the candidates and the dry-run's ledger are seeded by hand as in
test_cutover_apply, the markers moved onto that dry-run.

Luma (the HTTP stand-in): the events of the sync window and their updated_at.
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
    assert f"no source record was created, changed or deleted since the dry-run (5 tables checked live, {2 * len(TABLES)} requests)" in capsys.readouterr().out
    tables = len(TABLES)
    # one filtered listing (nothing changed: one empty page) and one page of ids per table
    assert len(airtable.log) == tables * markers.airtable_requests(RECORDS) == 2 * tables
    assert sum(1 for entry in airtable.log if entry[3] == 200) == len(airtable.log)
    assert _cutovers(db_url) == [("podium", {"check": "live source markers", "found": "unchanged", "tables": [f"airtable.{t}" for t in TABLES],
                                             "requests": {f"airtable.{t}": 2 for t in TABLES}})]


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
    assert f"(found with {2 * len(TABLES)} requests to the sources)" in err
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
    assert "no source record was created, changed or deleted since the dry-run (11 tables checked live, 11 requests)" in capsys.readouterr().out
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


# ---------------------------------------------------------------- Luma


def _luma_events() -> list[dict]:
    """Four events inside the sync window (2 days back .. 60 ahead) and one long past, outside it."""
    now = dt.datetime.now(dt.timezone.utc)
    starts = [now + dt.timedelta(days=d) for d in (-1, 3, 10, 40)] + [now - dt.timedelta(days=400)]
    return [{"api_id": f"evt-{i}", "name": f"Hack night {i}", "start_at": start.isoformat().replace("+00:00", "Z"),
             "updated_at": "2026-11-01T10:00:00.000Z"} for i, start in enumerate(starts)]


@pytest.fixture
def luma(db_url, dagster_env, monkeypatch):
    from tests.standins.luma import LumaStandin

    with LumaStandin(_luma_events(), {}, page_size=2) as standin:
        monkeypatch.setenv("LUMA_BASE_URL", standin.url)
        monkeypatch.setenv("LUMA_API_KEY", standin.api_key)
        _land_live(db_url, "luma")
        standin.reset_log()
        yield standin


def _list_events_calls(standin) -> list[dict]:
    return [params for _, path, _, params in standin.calls if path.endswith("list-events")]


def test_a_live_luma_landing_records_the_sync_window(luma, db_url):
    with connect(db_url) as conn:
        [(application, count, listing)] = conn.execute(
            "select application, record_count, listing from migration.source_markers where source = 'luma'").fetchall()
    assert application == "hello_miami" and count == 4
    assert sorted(listing["events"]) == ["evt-0", "evt-1", "evt-2", "evt-3"]  # evt-4 lies outside the window
    assert set(listing["events"].values()) == {"2026-11-01T10:00:00+00:00"}


def test_unchanged_luma_applies_with_one_listing_of_the_window(luma, db_url, capsys):
    assert cli("apply", "--app", "hello_miami") == 0
    assert "(1 tables checked live, 2 requests)" in capsys.readouterr().out
    calls = _list_events_calls(luma)
    assert len(calls) == len(luma.calls) == 2  # 4 events, 2 a page; no guest listed
    assert calls[0]["period_starts_after"] and calls[0]["period_ends_before"]
    assert _cutovers(db_url)[0][1] == {"check": "live source markers", "found": "unchanged", "tables": ["luma.events"],
                                       "requests": {"luma.events": 2}}


LUMA_WRITES = {
    "created": lambda s: s.add_event({**_luma_events()[1], "api_id": "evt-new"}),
    "changed": lambda s: s.rename_event("evt-2", "Renamed"),
    "deleted": lambda s: s.delete_event("evt-3"),
}


@pytest.mark.parametrize("kind", sorted(LUMA_WRITES))
def test_a_luma_write_after_the_dry_run_refuses_apply(luma, db_url, capsys, kind):
    LUMA_WRITES[kind](luma)
    assert cli("apply", "--app", "hello_miami") == 3
    err = capsys.readouterr().err
    assert f"luma.events has 1 {kind} record(s) since dry-run dry-1, which the scheduled Luma sync would otherwise carry" in err
    assert _cutovers(db_url) == []


def test_a_luma_change_outside_the_sync_window_does_not_refuse(luma, db_url):
    luma.rename_event("evt-4", "An old event, renamed")
    assert cli("apply", "--app", "hello_miami") == 0


def test_the_luma_check_waits_at_the_client_limiter(luma, db_url, monkeypatch):
    """LUMA_MAX_RPM holds at apply too: with 1 request a second the check's 2 pages are a second apart."""
    monkeypatch.setenv("LUMA_MAX_RPM", "1")
    from pipelines.luma.client import LumaClient

    real = LumaClient.__init__
    monkeypatch.setattr(LumaClient, "__init__", lambda self, **kw: real(self, rate_window=1.0, **kw))
    assert cli("apply", "--app", "hello_miami") == 0
    times = [t for t, path, _, _ in luma.calls if path.endswith("list-events")]
    assert len(times) == 2 and times[1] - times[0] >= 0.9


def test_a_missing_luma_key_at_apply_is_one_sentence(luma, db_url, monkeypatch, capsys):
    monkeypatch.delenv("LUMA_API_KEY")
    assert cli("apply", "--app", "hello_miami") != 0
    err = capsys.readouterr().err.strip()
    assert "LUMA_API_KEY" in err and len(err.splitlines()) == 1 and "Traceback" not in err
    assert luma.api_key not in err and luma.calls == []
    assert _cutovers(db_url) == []

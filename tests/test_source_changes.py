"""Issue 20: writes to the live sources after a live dry-run are found at `cutover apply`, which
refuses (exit 3) naming how many records were created, changed or deleted per table; with no write,
apply proceeds and the Airtable check costs one request for the base (the dry-run's webhook's
payloads), or, when the webhook cannot serve, lists every table and says why.

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
        conn.execute("update migration.source_webhooks set run_id = 'dry-1' where run_id = 'land-1'")


def _airtable(db_url, monkeypatch, **standin_options):
    """A live Airtable landing against a stand-in made with `standin_options`, its log cleared."""
    standin = AirtableStandIn(podium_tables(RECORDS), lock_seconds=1.0, **standin_options).start()
    for key, value in standin.env(wait=1.0).items():
        monkeypatch.setenv(key, value)
    _land_live(db_url, "airtable")
    standin.log.clear()
    return standin


@pytest.fixture
def airtable(db_url, dagster_env, monkeypatch):
    standin = _airtable(db_url, monkeypatch)
    yield standin
    standin.stop()


@pytest.fixture
def airtable_without_webhooks(db_url, dagster_env, monkeypatch):
    """A token without the webhook:manage scope: the base answers webhook creation with 403."""
    standin = _airtable(db_url, monkeypatch, refuse_webhooks=403)
    yield standin
    standin.stop()


def _webhooks(db_url) -> list[tuple]:
    with connect(db_url) as conn:
        return conn.execute("select run_id, webhook_id, cursor, expires_at, failure, deleted_at from migration.source_webhooks "
                            "order by created_at").fetchall()


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


def test_unchanged_airtable_applies_with_one_request_for_the_base(airtable, db_url, capsys):
    """The issue's bound: with no change the Airtable check costs at most one request per table;
    through the webhook it is one for the whole base (the listing took 1 + pages per table)."""
    assert cli("apply", "--app", "podium") == 0
    checked = [entry for entry in airtable.log if entry[1] == "GET"]
    assert len(checked) == 1 and checked[0][2].endswith("/payloads") and checked[0][3] == 200
    out = capsys.readouterr().out
    assert "no source record was created, changed or deleted since the dry-run (5 tables checked through the dry-run's Airtable webhook, 1 requests)" in out
    assert _cutovers(db_url) == [("podium", {"check": "Airtable webhook payloads", "found": "unchanged",
                                             "tables": [f"airtable.{t}" for t in TABLES], "requests": {"airtable": 1}})]


def test_a_successful_apply_deletes_the_dry_runs_webhook(airtable, db_url, capsys):
    [(_, webhook_id, *_)] = _webhooks(db_url)
    assert list(airtable.webhooks) == [webhook_id]
    assert cli("apply", "--app", "podium") == 0
    assert f"The dry-run's Airtable webhook {webhook_id} was deleted." in capsys.readouterr().out
    assert airtable.webhooks == {} and [e[1:3] for e in airtable.log][-1] == ("DELETE", f"/v0/bases/{airtable.base_id}/webhooks/{webhook_id}")
    assert _webhooks(db_url)[0][5] is not None  # deleted_at: nothing of ours left in the base


def test_applying_the_other_application_keeps_podiums_webhook(airtable, db_url):
    """Hello Miami's apply of the same dry-run (one database here) leaves Podium's webhook for Podium's apply."""
    assert cli("apply", "--app", "hello_miami") == 0
    assert len(airtable.webhooks) == 1 and _webhooks(db_url)[0][5] is None
    assert not [entry for entry in airtable.log if entry[1] == "DELETE"]


def test_a_live_dry_run_creates_one_webhook_and_records_the_table_ids(airtable, db_url):
    [(run_id, webhook_id, cursor, expires_at, failure, deleted_at)] = _webhooks(db_url)
    assert run_id == "dry-1" and webhook_id in airtable.webhooks and cursor == 1 and failure is None and deleted_at is None
    assert airtable.webhooks[webhook_id]["specification"] == {"options": {"filters": {"dataTypes": ["tableData"]}}}
    assert airtable.webhooks[webhook_id]["notificationUrl"] is None  # we poll: no pings, no MAC secret kept
    assert dt.timedelta(days=6, hours=23) < expires_at - dt.datetime.now(dt.timezone.utc) <= dt.timedelta(days=7)
    with connect(db_url) as conn:
        ids = dict(conn.execute("select source_table, listing->>'table_id' from migration.source_markers where source = 'airtable'").fetchall())
    assert ids == {t["name"]: t["id"] for t in airtable.schema["tables"]}


def test_a_second_dry_run_deletes_the_first_webhook(airtable, db_url):
    from pipelines import land

    [(_, first, *_)] = _webhooks(db_url)
    land.land("airtable", None, "land-2", db_url)
    rows = _webhooks(db_url)
    assert [(r[0], r[1] == first, r[5] is not None) for r in rows] == [("dry-1", True, True), ("land-2", False, False)]
    assert list(airtable.webhooks) == [rows[1][1]]  # at most one of ours lives in the base


def test_a_landing_that_fails_deletes_the_webhook_it_created(airtable, db_url, monkeypatch):
    from pipelines import land
    from pipelines.errors import CutoverError

    def broken(*args):
        assert len(airtable.webhooks) == 2  # the landing's own webhook exists by now
        raise CutoverError("the landing broke")

    monkeypatch.setattr(land, "_attempt_with_fallback", broken)
    with pytest.raises(CutoverError):
        land.land("airtable", None, "land-2", db_url)
    assert [r[0] for r in _webhooks(db_url)] == ["dry-1"] and len(airtable.webhooks) == 1  # the dry-run's own, untouched


def test_the_standin_serves_airtables_webhooks_api_through_pyairtable():
    """Create, list, refresh, payloads with a cursor, delete and the base's limit, as pyairtable
    (the real API's client) reads them."""
    from pyairtable import Api
    from requests import HTTPError

    with AirtableStandIn(podium_tables(3), max_webhooks=2, rate=100) as standin:
        base = Api(standin.api_key, endpoint_url=standin.url).base(standin.base_id)
        created = base.add_webhook("https://example.org/ping", {"options": {"filters": {"dataTypes": ["tableData"]}}})
        changed, deleted = standin.tables["votes"][0]["id"], standin.tables["votes"][1]["id"]
        standin.update("votes", changed, {"voter": []})
        standin.delete("votes", deleted)
        [hook] = base.webhooks()
        assert hook.id == created.id and hook.cursor_for_next_payload == 3 and hook.is_hook_enabled
        before = hook.expiration_time
        hook.extend_expiration()
        assert base.webhooks()[0].expiration_time >= before
        payloads = list(hook.payloads(cursor=2))
        assert [p.cursor for p in payloads] == [2]
        votes = next(t["id"] for t in standin.schema["tables"] if t["name"] == "votes")
        assert payloads[0].changed_tables_by_id[votes].destroyed_record_ids == [deleted]
        assert list(next(hook.payloads(cursor=1)).changed_tables_by_id[votes].changed_records_by_id) == [changed]
        base.add_webhook("https://example.org/ping", {"options": {"filters": {"dataTypes": ["tableData"]}}})
        with pytest.raises(HTTPError) as full:
            base.add_webhook("https://example.org/ping", {"options": {"filters": {"dataTypes": ["tableData"]}}})
        assert full.value.response.status_code == 422
        standin.expire(created.id)
        standin.create("votes", {"id": "recvotNEW00009", "createdTime": "2026-11-30T23:00:00.000Z", "fields": {}})
        assert len(standin.webhooks[created.id]["payloads"]) == 2  # an expired webhook records nothing more
        hook.delete()
        assert created.id not in standin.webhooks and len(base.webhooks()) == 1


def test_many_payloads_are_read_in_pages_of_50(monkeypatch):
    """51 transactions since the dry-run: two requests (mightHaveMore), every record counted once."""
    from datetime import timedelta

    from pipelines.airtable import webhooks
    from pipelines.airtable.client import make_api

    with AirtableStandIn(podium_tables(60)) as standin:
        for key, value in standin.env(wait=1.0).items():
            monkeypatch.setenv(key, value)
        api = make_api()
        hook = webhooks.create(api, standin.base_id)
        ids = webhooks.table_ids(api, standin.base_id, TABLES)
        for record in standin.tables["votes"][:51]:
            standin.update("votes", record["id"], {"voter": []})
        seen, requests = webhooks.changes(api, standin.base_id, hook, ids, dt.datetime.now(dt.timezone.utc), timedelta(seconds=60))
    assert requests == 2 and len(seen["votes"]["changed"]) == 51 and not seen["users"]["changed"]


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
    assert "(found with 1 requests to the sources, checked through the dry-run's Airtable webhook)" in err
    assert "airtable.users" not in err
    assert _cutovers(db_url) == []  # nothing moved
    assert len(airtable.webhooks) == 1 and _webhooks(db_url)[0][5] is None  # a refused apply keeps the webhook


def test_airtable_created_changed_and_deleted_counted_in_one_sentence(airtable, db_url, capsys):
    for write in AIRTABLE_WRITES.values():
        write(airtable)
    airtable.update("users", airtable.tables["users"][0]["id"], {"city": "x"})
    assert cli("apply", "--app", "podium") == 3
    err = capsys.readouterr().err
    assert "airtable.users has 1 changed record(s) since dry-run dry-1." in err
    assert "airtable.votes has 1 created, 1 changed and 1 deleted record(s) since dry-run dry-1." in err


def test_created_then_changed_counts_once_and_created_then_deleted_not_at_all(airtable, db_url, capsys):
    """The decision in pipelines/markers.py: a record created then changed is one created record; one
    created and deleted since the dry-run never landed and no longer exists: nothing to miss."""
    AIRTABLE_WRITES["created"](airtable)
    airtable.update("votes", "recvotNEW00001", {"voter": ["recuse00000001"]})
    airtable.create("votes", {"id": "recvotNEW00002", "createdTime": "2026-11-30T23:00:00.000Z", "fields": {}})
    airtable.delete("votes", "recvotNEW00002")
    assert cli("apply", "--app", "podium") == 3
    assert "airtable.votes has 1 created record(s) since dry-run dry-1." in capsys.readouterr().err
    airtable.delete("votes", "recvotNEW00001")
    assert cli("apply", "--app", "podium") == 0


def test_webhook_creation_refused_falls_back_to_listing_and_says_why(airtable_without_webhooks, db_url, capsys, tmp_path):
    import json

    standin = airtable_without_webhooks
    [(_, webhook_id, _, _, failure, _)] = _webhooks(db_url)
    assert webhook_id is None and "HTTP 403" in failure and "webhook:manage" in failure  # the dry-run went on
    AIRTABLE_WRITES["deleted"](standin)
    assert cli("apply", "--app", "podium") == 3
    captured = capsys.readouterr()
    assert "airtable.votes has 1 deleted record(s) since dry-run dry-1." in captured.err
    assert f"(found with {2 * len(TABLES)} requests to the sources, checked by listing Airtable)" in captured.err
    assert "Airtable was listed rather than asked through the dry-run's webhook: Airtable refused to create the dry-run's webhook (HTTP 403" in captured.err
    assert "needs the webhook:manage and data.records:read scopes and creator permission on AIRTABLE_BASE_ID" in captured.err
    report = [line.split("report: ", 1)[1] for line in captured.out.splitlines() if line.startswith("report: ")][0]
    data = json.loads(open(report.replace("report.html", "reconciliation.json")).read())
    source = next(c for c in data["apps"]["podium"]["checks"] if c["check"] == "source check")
    assert source["source_check"]["check"] == "Airtable listing" and "webhook:manage" in source["source_check"]["fallback"]
    assert "webhook:manage" in open(report).read()  # the page says why too


def test_a_base_at_its_webhook_limit_is_named_and_the_dry_run_goes_on(db_url, dagster_env, monkeypatch):
    standin = _airtable(db_url, monkeypatch, max_webhooks=0)  # the base holds its 10 already
    try:
        [(_, webhook_id, _, _, failure, _)] = _webhooks(db_url)
        assert webhook_id is None and "HTTP 422" in failure and "10 webhooks" in failure
        with connect(db_url) as conn:
            assert conn.execute("select count(*) from raw_airtable.votes").fetchone()[0] == RECORDS  # landed all the same
    finally:
        standin.stop()


def test_unchanged_airtable_without_a_webhook_applies_by_listing(airtable_without_webhooks, db_url, capsys):
    assert cli("apply", "--app", "podium") == 0
    assert len(airtable_without_webhooks.log) == len(TABLES) * markers.airtable_requests(RECORDS) == 2 * len(TABLES)
    assert f"(5 tables checked by listing Airtable, {2 * len(TABLES)} requests; the dry-run's webhook was not used: Airtable refused" in capsys.readouterr().out
    [(_, detail)] = _cutovers(db_url)
    assert detail["check"] == "Airtable listing" and detail["requests"] == {f"airtable.{t}": 2 for t in TABLES}


def test_an_expired_webhook_falls_back_to_listing(db_url, dagster_env, monkeypatch, capsys):
    """Airtable expires a webhook (7 days; here 1 s): a write after that reaches no payload, and the
    listing still finds it."""
    import time

    standin = _airtable(db_url, monkeypatch, webhook_lifetime=1.0)
    try:
        [(_, webhook_id, _, expires_at, _, _)] = _webhooks(db_url)
        time.sleep(max(0.0, (expires_at - dt.datetime.now(dt.timezone.utc)).total_seconds()) + 0.1)
        AIRTABLE_WRITES["changed"](standin)
        assert standin.webhooks[webhook_id]["payloads"] == []  # the expired webhook saw nothing
        assert cli("apply", "--app", "podium") == 3
        err = capsys.readouterr().err
        assert "airtable.votes has 1 changed record(s) since dry-run dry-1." in err and "checked by listing Airtable" in err
        assert f"the dry-run's Airtable webhook {webhook_id} expired at" in err
    finally:
        standin.stop()


def test_an_error_payload_falls_back_to_listing(airtable, db_url, capsys):
    """Airtable disables a webhook whose specification turned invalid and says so in an error payload."""
    [webhook_id] = airtable.webhooks
    airtable.webhooks[webhook_id]["payloads"].append({"timestamp": "2026-12-01T00:00:00.000Z", "baseTransactionNumber": 9,
                                                      "payloadFormat": "v0", "error": True, "code": "INVALID_HOOK"})
    AIRTABLE_WRITES["deleted"](airtable)
    assert cli("apply", "--app", "podium") == 3
    err = capsys.readouterr().err
    assert "airtable.votes has 1 deleted record(s) since dry-run dry-1." in err and "checked by listing Airtable" in err
    assert f"the dry-run's Airtable webhook {webhook_id} reported error INVALID_HOOK" in err


def test_a_webhook_gone_from_the_base_falls_back_to_listing(airtable, db_url, capsys):
    airtable.webhooks.clear()  # deleted by someone in the base
    AIRTABLE_WRITES["created"](airtable)
    assert cli("apply", "--app", "podium") == 3
    err = capsys.readouterr().err
    assert "airtable.votes has 1 created record(s) since dry-run dry-1." in err
    assert f"(found with {1 + 2 * len(TABLES)} requests to the sources, checked by listing Airtable)" in err
    assert "is gone from AIRTABLE_BASE_ID" in err and "HTTP 404" in err


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
    [(run_id, webhook_id, *_)] = _webhooks(db_url)
    assert {run_id} == ledger_runs and list(standin.webhooks) == [webhook_id]


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


# the demo's scale-1 Airtable base (`cutover sample --scale 1`): records per table
SCALE_1 = {"users": 3365, "votes": 3000, "referrals": 1266, "projects": 767, "events": 217}


@pytest.mark.slow
def test_the_check_at_scale_1_costs_one_request_through_the_webhook_and_93_by_listing(db_url, dagster_env, monkeypatch):
    """README's figures: a live landing of a base of the demo's size through the stand-in (5
    requests/s), then the unchanged base checked both ways (the listing forced by a recorded
    creation failure)."""
    import time

    from tests.standins.airtable import make_records

    standin = AirtableStandIn({t: make_records(t, n) for t, n in SCALE_1.items()}, lock_seconds=1.0).start()
    try:
        for key, value in standin.env(wait=1.0).items():
            monkeypatch.setenv(key, value)
        _land_live(db_url, "airtable")
        figures = {}
        with connect(db_url) as conn:
            for check in ("webhook", "listing"):
                if check == "listing":
                    conn.execute("update migration.source_webhooks set failure = 'forced for the measurement'")
                started = time.monotonic()
                asked = markers.changes(conn, "dry-1", markers.recorded(conn, "dry-1", "podium"))
                figures[check] = (asked["requests"], round(time.monotonic() - started, 2))
                assert not any(n[k] for n in asked["found"].values() for k in markers.KINDS)
        print(f"\nscale-1 Airtable check: {figures}")
        assert figures["webhook"][0] == {"airtable": 1} and figures["webhook"][1] < 1.0
        assert figures["listing"][0] == {f"airtable.{t}": markers.airtable_requests(n) for t, n in SCALE_1.items()}
        assert sum(figures["listing"][0].values()) == 93
    finally:
        standin.stop()

"""The land gate (GX, real PostgreSQL): counts against the source's own, ids, the field contract."""

from __future__ import annotations

import json

from tests.gate_helpers import failures, ledger, messages, run_phase
from tests.model_fixtures import airtable, rows
from pipelines.registry import mapped_fields


def rec(rid, **fields):
    return {"id": rid, "createdTime": "2024-01-01T00:00:00.000Z", "fields": fields}


def _schema(drop: str | None = None) -> dict:
    return {"tables": [
        {"id": f"tbl{t}", "name": t, "fields": [{"id": f"fld{f}", "name": f, "type": "singleLineText"} for f in fields if f != drop]}
        for t, fields in mapped_fields("airtable").items()
    ]}


def _snapshot(tmp_path, drop: str | None = None) -> str:
    (tmp_path / "airtable").mkdir()
    (tmp_path / "airtable" / "schema.json").write_text(json.dumps(_schema(drop)))
    return str(tmp_path)


def _events():
    return [rec("recE1", name="A", slug="a", join_code="A", owner=["recU1"], feature_flags_csv="daydream"),
            rec("recE2", name="B", slug="b", join_code="B", owner=["recU1"])]


def test_land_gate_passes_on_clean_raw_tables(db_url, tmp_path):
    airtable(db_url, "users", [rec("recU1", email="a@x.io"), rec("recU2", email="b@x.io")])
    airtable(db_url, "events", _events())
    ledger(db_url, "test-run", "airtable", {"users": 2, "events": 2})
    outcomes = run_phase(db_url, "land", snapshot_dir=_snapshot(tmp_path), app="podium")
    assert messages(outcomes) == []
    rules = {(o.gate.table, o.gate.rule) for o in outcomes}
    assert ("raw_airtable.users", "landed count = source count") in rules
    assert ("raw_airtable.events", "mapped fields exist in the source schema") in rules


def test_land_gate_fails_when_landed_count_differs_from_source_count(db_url, tmp_path):
    airtable(db_url, "users", [rec("recU1", email="a@x.io")])
    ledger(db_url, "test-run", "airtable", {"users": 2})
    outcomes = run_phase(db_url, "land", snapshot_dir=_snapshot(tmp_path), app="podium")
    [failed] = [o for o in failures(outcomes) if o.gate.table == "raw_airtable.users"]
    assert failed.gate.rule == "landed count = source count"
    assert "raw_airtable.users: landed count = source count" in failed.message and "landed 1, source reported 2" in failed.message


def test_land_gate_fails_on_duplicate_and_null_ids(db_url, tmp_path):
    airtable(db_url, "users", [rec("recU1", email="a@x.io"), rec("recU1", email="b@x.io")])
    rows(db_url, "insert into raw_airtable.users (id, fields) values (null, '{}') returning 1")
    outcomes = run_phase(db_url, "land", snapshot_dir=_snapshot(tmp_path), app="podium")
    failed = {o.gate.rule: o for o in failures(outcomes) if o.gate.table == "raw_airtable.users"}
    assert set(failed) == {"id unique", "id not null"}
    assert "recU1" in failed["id unique"].message


def test_land_gate_names_a_mapped_field_missing_from_the_airtable_schema(db_url, tmp_path):
    """The original Podium backfill read `feature_flags`, a field that did not exist."""
    events = [rec(r["id"], **{k: v for k, v in r["fields"].items() if k != "feature_flags_csv"}) for r in _events()]
    airtable(db_url, "events", events)
    outcomes = run_phase(db_url, "land", snapshot_dir=_snapshot(tmp_path, drop="feature_flags_csv"), app="podium")
    [failed] = failures(outcomes)
    assert failed.gate.table == "raw_airtable.events" and failed.gate.rule == "mapped fields exist in the source schema"
    assert "events.feature_flags_csv" in failed.message


def test_without_schema_a_field_in_no_record_is_only_a_warning(db_url):
    events = [rec(r["id"], **{k: v for k, v in r["fields"].items() if k != "feature_flags_csv"}) for r in _events()]
    airtable(db_url, "events", events)
    outcomes = run_phase(db_url, "land", snapshot_dir=None, app="podium")
    assert failures(outcomes) == []
    warned = [o for o in failures(outcomes, "warning") if o.gate.table == "raw_airtable.events"]
    keys = [e.split(":")[0] for e in warned[0].examples]
    assert "events.feature_flags_csv" in keys
    # checkboxes false everywhere are absent from every record too: reported, not blocking
    assert "events.votable" in keys


def test_land_gate_covers_mongo_and_luma_keys(db_url):
    from tests.model_fixtures import luma_guests, mongo, oid

    mongo(db_url, "profiles", [{"_id": {"$oid": oid(1)}, "lumaEmail": "a@x.io"}, {"_id": {"$oid": oid(1)}, "lumaEmail": "b@x.io"}])
    luma_guests(db_url, "evt-1", [{"api_id": "g1"}, {"api_id": "g1"}])
    outcomes = run_phase(db_url, "land", app="hello_miami")
    failed = {(o.gate.table, o.gate.rule) for o in failures(outcomes)}
    assert ("raw_mongo.profiles", "_id unique") in failed
    assert ("raw_luma.guests", "(event_api_id, api_id) unique") in failed


def test_a_gate_run_leaves_the_process_stderr_alone(db_url, tmp_path, capfd):
    """GX's progress bars are off in the context (expectations/runner.py), so a gate no longer
    swaps sys.stderr, which is the whole process's: a message another thread printed meanwhile (a
    CLI apply refused beside a UI dry-run, a landing thread) was lost into the swapped stream."""
    import sys

    airtable(db_url, "users", [rec("recU1", email="a@x.io")])
    ledger(db_url, "test-run", "airtable", {"users": 1})
    stderr = sys.stderr
    run_phase(db_url, "land", snapshot_dir=_snapshot(tmp_path), app="podium")
    assert sys.stderr is stderr
    assert "Calculating Metrics" not in capfd.readouterr().err

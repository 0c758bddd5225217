"""A Luma key listed twice in one landing (issue 15, item 5): the entry listed first is the row, a
later one lands in raw_luma.duplicates and is merged into it: quietly when it is the same entry,
as a conflict recorded field by field when it differs. Snapshot and live landing, every gate."""

from __future__ import annotations

import json
import uuid

from expectations.phase import land_gate
from pipelines import land as landing
from tests.gate_helpers import failures, messages, run_phase
from tests.model_fixtures import mongo, rows, run_transform
from tests.standins.luma import LumaStandin
from tests.test_rule_hello_miami import date, doc

EVENT = {"api_id": "evt-1", "name": "First", "url": "https://lu.ma/1", "timezone": "UTC", "start_at": "2026-01-10T23:00:00Z"}
APPROVED = {"api_id": "gst-1", "email": "a@x.io", "approval_status": "approved"}
DECLINED = {**APPROVED, "approval_status": "declined"}
OTHER = {"api_id": "gst-2", "email": "b@x.io", "approval_status": "approved"}


def write_snapshot(folder, events, guests):
    (folder / "luma").mkdir(parents=True)
    (folder / "manifest.json").write_text(json.dumps({"captured_at": "2026-01-15T12:00:00Z",
                                                      "counts": {"luma.events": len(events), "luma.guests": len(guests)}}))
    (folder / "luma" / "events.jsonl").write_text("".join(json.dumps(e) + "\n" for e in events))
    (folder / "luma" / "guests.jsonl").write_text("".join(json.dumps({**g, "event_api_id": "evt-1"}) + "\n" for g in guests))


def members(db_url):
    mongo(db_url, "profiles", [doc(1, lumaEmail="a@x.io", createdAt=date("2024-01-01T00:00:00Z")),
                               doc(2, lumaEmail="b@x.io", createdAt=date("2024-01-01T00:00:00Z"))])


def land_and_transform(db_url, snapshot_dir):
    run_id = str(uuid.uuid4())
    landing.land("luma", snapshot_dir, run_id, db_url)
    land_gate(db_url, run_id, snapshot_dir, ["luma"])  # raises when it fails
    run_transform(db_url, run_id)
    return run_id


def assert_first_listed_kept_and_losers_recorded(db_url, run_id):
    assert rows(db_url, "select luma_event_id, name, stats from hello_miami_next.events") == [
        ("evt-1", "First", {"registered": 2, "checkedIn": 0})]
    assert rows(db_url, "select status from hello_miami_next.attendance order by member_id") == [("registered",), ("registered",)]
    assert rows(db_url, "select source_table, source_id, into_source_id, rule from migration.merges"
                        " where run_id = %s and source = 'luma' order by 1, 2", (run_id,)) == [
        ("events", "evt-1#2", "evt-1", "conflicting duplicate"),
        ("guests", "evt-1:gst-1#2", "evt-1:gst-1", "conflicting duplicate"),
        ("guests", "evt-1:gst-2#2", "evt-1:gst-2", "exact duplicate"),
    ]
    assert rows(db_url, "select source_table, key, field, left_value, right_value from migration.conflicts"
                        " where run_id = %s and kind = 'luma_duplicate' order by 1, 2", (run_id,)) == [
        ("luma.events", "evt-1#2", "name", "First", "Second"),
        ("luma.guests", "evt-1:gst-1#2", "approval_status", "approved", "declined"),
    ]
    assert rows(db_url, "select source_table, source_count, landed, migrated, merged, quarantined from migration.count_ledger"
                        " where run_id = %s and source = 'luma' order by 1", (run_id,)) == [
        ("events", 2, 2, 1, 1, 0), ("guests", 4, 4, 2, 2, 0)]
    outcomes = run_phase(db_url, "reconcile", run_id, app="hello_miami")
    assert messages(outcomes) == []
    assert [o.gate.rule for o in failures(outcomes, "warning")] == ["a Luma key listed twice holds the same entry"]


def test_snapshot_duplicates_first_listed_kept_and_the_conflict_recorded(db_url, tmp_path):
    members(db_url)
    write_snapshot(tmp_path / "snap", [EVENT, {**EVENT, "name": "Second"}], [APPROVED, DECLINED, OTHER, OTHER])
    run_id = land_and_transform(db_url, str(tmp_path / "snap"))
    assert rows(db_url, "select source_table, event_api_id, api_id, occurrence, record->>'approval_status', record->>'name'"
                        " from raw_luma.duplicates order by 1, 3") == [
        ("events", "", "evt-1", 2, None, "Second"),
        ("guests", "evt-1", "gst-1", 2, "declined", None),
        ("guests", "evt-1", "gst-2", 2, "approved", None),
    ]
    assert_first_listed_kept_and_losers_recorded(db_url, run_id)
    # landing the same snapshot again changes nothing (duplicates merge on their key)
    run_again = land_and_transform(db_url, str(tmp_path / "snap"))
    assert rows(db_url, "select count(*) from raw_luma.duplicates") == [(3,)]
    assert_first_listed_kept_and_losers_recorded(db_url, run_again)


def test_a_later_landing_without_the_duplicate_supersedes_it(db_url, tmp_path):
    members(db_url)
    write_snapshot(tmp_path / "dup", [EVENT, {**EVENT, "name": "Second"}], [APPROVED, DECLINED])
    land_and_transform(db_url, str(tmp_path / "dup"))
    write_snapshot(tmp_path / "clean", [{**EVENT, "name": "Third"}], [DECLINED])
    run_id = land_and_transform(db_url, str(tmp_path / "clean"))
    assert rows(db_url, "select name from hello_miami_next.events") == [("Third",)]
    assert rows(db_url, "select count(*) from migration.merges where run_id = %s and source = 'luma'", (run_id,)) == [(1,)]  # declined guest
    assert messages(run_phase(db_url, "reconcile", run_id, app="hello_miami")) == []


def test_live_duplicates_first_listed_kept_and_the_conflict_recorded(db_url, monkeypatch):
    members(db_url)
    events = [EVENT, {**EVENT, "name": "Second"}]
    with LumaStandin(events, {"evt-1": [APPROVED, DECLINED, OTHER, OTHER]}, shape="wrapped", page_size=2) as luma:
        monkeypatch.setenv("LUMA_BASE_URL", luma.url)
        monkeypatch.setenv("LUMA_API_KEY", luma.api_key)
        run_id = land_and_transform(db_url, None)
        guest_requests = [path for _, path, _ in luma.requests if "guests" in path]
    assert len(guest_requests) == 2  # the duplicate event's guests are not listed twice
    assert_first_listed_kept_and_losers_recorded(db_url, run_id)


def test_sync_lands_the_first_listed_and_keeps_the_later_one(db_url):
    import datetime as dt

    from assets.sync.luma_load import land_window

    events = [EVENT, {**EVENT, "name": "Second"}]
    with LumaStandin(events, {"evt-1": [APPROVED, DECLINED]}, shape="flat", page_size=5) as luma:
        load_id, _ = land_window(db_url, dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc),
                                 dt.datetime(2026, 2, 1, tzinfo=dt.timezone.utc), luma.url, luma.api_key)
        guest_requests = [path for _, path, _ in luma.requests if "guests" in path]
    assert len(guest_requests) == 1  # the duplicate event's guests are not listed again
    assert rows(db_url, "select api_id, record->>'name' from raw_luma.events") == [("evt-1", "First")]
    assert rows(db_url, "select record->>'approval_status' from raw_luma.guests") == [("approved",)]
    assert rows(db_url, "select source_table, api_id, occurrence, coalesce(record->>'name', record->>'approval_status'), _dlt_load_id"
                        " from raw_luma.duplicates order by 1") == [
        ("events", "evt-1", 2, "Second", load_id), ("guests", "gst-1", 2, "declined", load_id)]

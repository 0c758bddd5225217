"""The sync and the dry-run read Luma once (migrations/ddl/luma_events.sql, luma_guests.sql): for the
same Luma data they write the same hello_miami events and attendance rows, and a sync over a
dry-run's rows, where MongoDB's values were merged in, changes none of them (SPEC §4)."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from pipelines.database import connect
from tests.model_fixtures import mongo, oid, rows, run_transform
from tests.standins.luma import LumaStandin

CAPTURED_AT = "2026-11-20T12:00:00+00:00"
EVENT_COLUMNS = "id, luma_event_id, name, description, cover_url, url, start_at, end_at, timezone, location, stats, is_canceled, created_at, updated_at"
ATTENDANCE_COLUMNS = "id, member_id, luma_event_id, status, checked_in_at, created_at"


def date(s: str) -> dict:
    return {"$date": s}


def calendar() -> tuple[list[dict], dict]:
    """Luma data where a second reading could disagree: odd values, both check-in places, a guest
    without registered_at, an email left empty beside user_email, an event without guests."""
    events = [
        {"api_id": "evt-1", "name": "Hack Night", "url": "https://lu.ma/1", "start_at": "2026-11-25T23:00:00Z",
         "end_at": "2026-11-26T02:00:00Z", "timezone": "America/New_York", "description": "hack night",
         "geo_address_info": {"type": "google", "place_name": "The Lab", "address": "1 Main St", "latitude": "25.77", "longitude": "NaN"},
         "created_at": "2026-10-01T00:00:00Z", "updated_at": "2026-11-01T00:00:00Z"},
        {"api_id": "evt-2", "name": {"en": "not text"}, "url": "https://lu.ma/2", "start_at": "2026-11-27T23:00:00Z",
         "end_at": "tomorrow", "timezone": "UTC", "is_canceled": "yes", "geo_address_info": "somewhere"},
        {"api_id": "evt-3", "name": 42, "url": "https://lu.ma/3", "start_at": "2026-11-28T23:00:00Z", "is_canceled": True},
    ]
    guests = {
        "evt-1": [
            {"api_id": "g1", "email": " A@Example.org ", "approval_status": "approved", "registered_at": "2026-11-10T10:00:00Z"},
            {"api_id": "g2", "email": "stranger@mail.com", "user_api_id": "usr-b", "approval_status": "declined",
             "event_tickets": [{"checked_in_at": None}, {"checked_in_at": "2026-11-25T23:30:00Z"}, {"checked_in_at": "2026-11-25T23:20:00Z"}]},
            {"api_id": "g3", "email": "", "user_email": "c@example.org", "approval_status": "approved", "registered_at": "2026-11-11T10:00:00Z"},
            {"api_id": "g4", "email": "d@example.org", "approval_status": "approved", "checked_in_at": "not a time",
             "registered_at": "2026-11-12T10:00:00Z"},
            {"api_id": "g5", "email": "nobody@example.org", "approval_status": "approved", "registered_at": "2026-11-12T11:00:00Z"},
            {"api_id": "g6", "email": "zed@example.org", "approval_status": "waitlist"},
        ],
        "evt-2": [
            {"api_id": "g7", "email": "a@example.org", "approval_status": "session", "checked_in_at": "2026-11-27T23:15:00Z"},
            {"api_id": "g8", "email": "d@example.org", "approval_status": "approved", "registered_at": "2026-11-13T10:00:00Z",
             "checked_in_at": "2026-11-27T23:05:00Z", "event_tickets": "not a list"},
        ],
    }
    return events, guests


@pytest.fixture
def luma(db_url, monkeypatch):
    mongo(db_url, "profiles", [
        {"_id": {"$oid": oid(1)}, "lumaEmail": "a@example.org", "createdAt": date("2025-01-01T00:00:00Z")},
        {"_id": {"$oid": oid(2)}, "lumaEmail": "b@example.org", "lumaAttendeeId": "usr-b", "createdAt": date("2025-01-02T00:00:00Z")},
        {"_id": {"$oid": oid(3)}, "lumaEmail": "c@example.org", "createdAt": date("2025-01-03T00:00:00Z")},
        {"_id": {"$oid": oid(4)}, "lumaEmail": "d@example.org", "createdAt": date("2025-01-04T00:00:00Z")},
    ])
    events, guests = calendar()
    with LumaStandin(events, guests, shape="mixed") as standin:
        monkeypatch.setenv("LUMA_BASE_URL", standin.url)
        monkeypatch.setenv("LUMA_API_KEY", standin.api_key)
        yield db_url


def sync(url: str) -> dict:
    from assets.sync.luma_sync import run_sync, window

    result = run_sync(url, window(start="2026-11-01T00:00:00Z", end="2026-12-31T00:00:00Z"))
    assert result["status"] == "success" and result["target_schema"] == "hello_miami_next"
    return result


def candidates(url: str) -> dict[str, list[tuple]]:
    return {"events": rows(url, f"select {EVENT_COLUMNS} from hello_miami_next.events order by luma_event_id"),
            "attendance": rows(url, f"select {ATTENDANCE_COLUMNS} from hello_miami_next.attendance order by luma_event_id, member_id")}


def test_sync_and_dry_run_write_the_same_rows_for_the_same_luma_data(luma):
    url = luma
    sync(url)  # lands the calendar into raw_luma (the sync's own landing) for the dry-run to read
    run_transform(url, captured_at=CAPTURED_AT)
    dry_run = candidates(url)
    assert rows(url, "select distinct last_synced_at from hello_miami_next.events") == [(datetime(2026, 11, 20, 12, 0),)]

    # the sync path: the same Luma data into the same candidates' profiles, no event or attendance yet
    with connect(url) as conn:
        conn.execute("delete from hello_miami_next.attendance")
        conn.execute("delete from hello_miami_next.demo_slots")
        conn.execute("delete from hello_miami_next.events")
    synced = sync(url)
    assert (synced["events_upserted"], synced["attendance_upserted"]) == (3, len(dry_run["attendance"]))
    assert candidates(url) == dry_run
    started = rows(url, "select started_at at time zone 'UTC' from migration.luma_syncs order by sync_id desc limit 1")[0][0]
    assert rows(url, "select distinct last_synced_at >= %s from hello_miami_next.events", (started.replace(microsecond=0),)) == [(True,)]

    # what both read, spelled out once (SPEC §4), so that agreeing on a wrong reading fails too
    events = {r[1]: r for r in dry_run["events"]}
    assert events["evt-1"][2] == "Hack Night" and events["evt-1"][9] == {"type": "google", "name": "The Lab", "address": "1 Main St", "lat": 25.77, "lng": None}
    assert events["evt-1"][10] == {"registered": 5, "checkedIn": 1}  # g1, g2 (on a ticket), g3, g4 (its check-in does not read), g5
    assert (events["evt-2"][2], events["evt-2"][7], events["evt-2"][9], events["evt-2"][11]) == ("", None, None, False)
    assert events["evt-2"][10] == {"registered": 2, "checkedIn": 2}
    assert (events["evt-3"][2], events["evt-3"][10], events["evt-3"][11]) == ("42", {"registered": 0, "checkedIn": 0}, True)
    who = dict(rows(url, "select id, luma_email from hello_miami_next.profiles"))
    attendance = {(who[r[1]], r[2]): (r[3], r[4], r[5]) for r in dry_run["attendance"]}
    assert attendance == {
        ("a@example.org", "evt-1"): ("registered", None, datetime(2026, 11, 10, 10, 0)),
        ("b@example.org", "evt-1"): ("checked-in", datetime(2026, 11, 25, 23, 20), datetime(2026, 11, 25, 23, 20)),
        ("d@example.org", "evt-1"): ("registered", None, datetime(2026, 11, 12, 10, 0)),
        ("a@example.org", "evt-2"): ("checked-in", datetime(2026, 11, 27, 23, 15), datetime(2026, 11, 27, 23, 15)),
        ("d@example.org", "evt-2"): ("checked-in", datetime(2026, 11, 27, 23, 5), datetime(2026, 11, 13, 10, 0)),
    }  # c@ is not matched: an empty email is no email, and user_email is read only when email is absent


def test_a_sync_over_rows_merged_from_mongodb_changes_none_of_them(luma):
    """The dry-run merged MongoDB's event and attendance into Luma's; a sync of the same Luma data
    must not revert what the rules decided: a field Luma leaves empty keeps MongoDB's value, and a
    MongoDB check-in stands with its earlier time."""
    url = luma
    mongo(url, "events", [
        {"_id": {"$oid": oid(11)}, "lumaEventId": "evt-3", "name": "Mongo name", "description": "from MongoDB",
         "coverUrl": "https://img/3.png", "url": "https://lu.ma/3", "timezone": "America/New_York",
         "startAt": date("2026-11-28T23:00:00Z"), "endAt": date("2026-11-29T02:00:00Z"), "createdAt": date("2026-09-01T00:00:00Z")},
    ])
    mongo(url, "attendance", [
        {"_id": {"$oid": oid(21)}, "memberId": {"$oid": oid(1)}, "lumaEventId": "evt-1", "status": "checked-in",
         "checkedInAt": date("2026-11-25T23:01:00Z"), "createdAt": date("2026-11-09T00:00:00Z")},
        {"_id": {"$oid": oid(22)}, "memberId": {"$oid": oid(4)}, "lumaEventId": "evt-2", "status": "checked-in",
         "checkedInAt": date("2026-11-27T23:00:00Z"), "createdAt": date("2026-11-09T00:00:00Z")},
    ])
    sync(url)
    run_transform(url, captured_at=CAPTURED_AT)
    before = candidates(url)
    event_3 = rows(url, "select name, description, cover_url, end_at from hello_miami_next.events where luma_event_id = 'evt-3'")[0]
    assert event_3 == ("42", "from MongoDB", "https://img/3.png", datetime(2026, 11, 29, 2, 0))
    synced = sync(url)
    assert (synced["events_upserted"], synced["attendance_upserted"]) == (0, 0)
    assert candidates(url) == before

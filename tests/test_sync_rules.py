"""The sync's SQL rules (events_upsert.sql, attendance_upsert.sql) on hand-written raw_luma rows:
SPEC §4 event and attendance rules, window-only writes, and "nothing changed, nothing written"."""

from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest

from pipelines.database import connect

SYNCED_AT = datetime(2026, 11, 23, 12, 0, tzinfo=timezone.utc)


def _raw_tables(conn) -> None:
    # the columns the land phase's dlt merge gives raw_luma (README raw contract)
    conn.execute("create table if not exists raw_luma.events (api_id text, start_at timestamptz, updated_at timestamptz, record jsonb, _dlt_load_id text, _dlt_id text)")
    conn.execute("create table if not exists raw_luma.guests (event_api_id text, api_id text, record jsonb, _dlt_load_id text, _dlt_id text)")


def land(conn, load_id: str, events: list[dict], guests: list[dict]) -> None:
    """What a dlt merge leaves: listed rows replaced, carrying the new load id."""
    _raw_tables(conn)
    for e in events:
        conn.execute("delete from raw_luma.events where api_id = %s", (e["api_id"],))
        conn.execute("insert into raw_luma.events values (%s, %s, null, %s, %s, md5(random()::text))",
                     (e["api_id"], e["start_at"], json.dumps({"api_id": e["api_id"], "event": e}), load_id))
    for g in guests:
        conn.execute("delete from raw_luma.guests where event_api_id = %s and api_id = %s", (g["event_api_id"], g["api_id"]))
        conn.execute("insert into raw_luma.guests values (%s, %s, %s, %s, md5(random()::text))",
                     (g["event_api_id"], g["api_id"], json.dumps(g), load_id))


def event(api_id: str, name: str, start: str = "2026-11-25T23:00:00Z") -> dict:
    return {"api_id": api_id, "name": name, "description": "hack night", "url": f"https://lu.ma/{api_id}", "start_at": start,
            "end_at": "2026-11-26T02:00:00Z", "timezone": "America/New_York",
            "geo_address_info": {"type": "google", "place_name": "The Lab", "address": "1 Main St", "latitude": "25.77", "longitude": -80.19}}


def guest(event_api_id: str, api_id: str, email: str, status: str = "approved", **extra) -> dict:
    return {"event_api_id": event_api_id, "api_id": api_id, "email": email, "approval_status": status,
            "registered_at": "2026-11-20T10:00:00Z", **extra}


def sync(url: str, load_id: str) -> tuple[int, int]:
    from assets.sync.luma_sync import apply_rules

    return apply_rules(url, "hello_miami", load_id, SYNCED_AT)


def table_hash(conn, table: str) -> str:
    return conn.execute(f"select md5(coalesce(string_agg(x::text, '|' order by x::text), '')) from hello_miami.{table} x").fetchone()[0]


@pytest.fixture
def members(db_url):
    with connect(db_url) as conn:
        conn.execute("""insert into hello_miami.profiles (id, luma_email, luma_attendee_id) values
            ('00000000-0000-5000-8000-000000000001', 'ana@example.org', null),
            ('00000000-0000-5000-8000-000000000002', 'ben@example.org', 'usr-ben'),
            ('00000000-0000-5000-8000-000000000003', 'cy@example.org', null)""")
        conn.execute("""insert into hello_miami.events (id, luma_event_id, name, url, start_at, timezone, created_at, updated_at, last_synced_at)
            values ('00000000-0000-5000-8000-0000000000e9', 'evt-old', 'Old night', 'https://lu.ma/old', '2025-01-01 23:00', 'UTC',
                    '2025-01-01', '2025-01-01', '2025-01-01')""")
        conn.execute("""insert into hello_miami.attendance (id, member_id, luma_event_id, status, checked_in_at, created_at)
            values ('00000000-0000-5000-8000-0000000000a3', '00000000-0000-5000-8000-000000000003', 'evt-1', 'checked-in', '2026-11-25 23:10', '2026-11-20')""")
    return db_url


def test_events_and_attendance_follow_the_spec_rules(members):
    url = members
    with connect(url) as conn:
        land(conn, "L1", [event("evt-1", "Hack Night")], [
            guest("evt-1", "gst-1", " ANA@example.org "),  # approved, matched by email -> registered
            guest("evt-1", "gst-2", "other@mail.com", user_api_id="usr-ben",  # matched by lumaAttendeeId, checked in on a ticket
                  event_tickets=[{"checked_in_at": None}, {"checked_in_at": "2026-11-25T23:30:00Z"}, {"checked_in_at": "2026-11-25T23:20:00Z"}]),
            guest("evt-1", "gst-3", "cy@example.org"),  # already checked in locally: the check-in stands
            guest("evt-1", "gst-4", "zed@example.org", status="declined"),  # not a member, not attendance
            guest("evt-1", "gst-5", "nobody@example.org"),  # approved but not a member
        ])
    assert sync(url, "L1") == (1, 2)  # one event inserted; ana and ben inserted, cy unchanged
    with connect(url) as conn:
        ev = conn.execute("select name, stats, location, start_at, last_synced_at from hello_miami.events where luma_event_id = 'evt-1'").fetchone()
        rows = dict(conn.execute("""select p.luma_email, a.status || coalesce(' ' || a.checked_in_at::text, '')
                                      from hello_miami.attendance a join hello_miami.profiles p on p.id = a.member_id""").fetchall())
    assert ev[0] == "Hack Night"
    assert ev[1] == {"registered": 4, "checkedIn": 1}  # approved or checked in: ana, ben, cy, nobody
    assert ev[2] == {"type": "google", "name": "The Lab", "address": "1 Main St", "lat": 25.77, "lng": -80.19}
    assert ev[3] == datetime(2026, 11, 25, 23, 0) and ev[4] == datetime(2026, 11, 23, 12, 0)
    from migrations.ddl.identity import stable_id

    with connect(url) as conn:  # ids as the dry-run derives them: the event's api_id, the first guest's key
        assert conn.execute("select id from hello_miami.events where luma_event_id = 'evt-1'").fetchone()[0] == stable_id("hello_miami", "events", "evt-1")
        assert conn.execute("select id from hello_miami.attendance where member_id = '00000000-0000-5000-8000-000000000001'").fetchone()[0] == \
            stable_id("hello_miami", "attendance", "evt-1:gst-1")
    assert rows == {"ana@example.org": "registered", "ben@example.org": "checked-in 2026-11-25 23:20:00",
                    "cy@example.org": "checked-in 2026-11-25 23:10:00"}


def test_a_second_sync_with_nothing_new_writes_nothing_and_outside_rows_stay(members):
    url = members
    with connect(url) as conn:
        land(conn, "L1", [event("evt-1", "Hack Night")], [guest("evt-1", "gst-1", "ana@example.org")])
    sync(url, "L1")
    with connect(url) as conn:
        before = {t: table_hash(conn, t) for t in ("events", "attendance")}
        xmins = conn.execute("select string_agg(xmin::text, ',' order by id) from hello_miami.events").fetchone()[0]
        land(conn, "L2", [event("evt-1", "Hack Night")], [guest("evt-1", "gst-1", "ana@example.org")])
    assert sync(url, "L2") == (0, 0)
    with connect(url) as conn:
        assert {t: table_hash(conn, t) for t in ("events", "attendance")} == before
        assert conn.execute("select string_agg(xmin::text, ',' order by id) from hello_miami.events").fetchone()[0] == xmins  # not even rewritten
        old = conn.execute("select name, updated_at from hello_miami.events where luma_event_id = 'evt-old'").fetchone()
    assert old == ("Old night", datetime(2025, 1, 1))


def test_renamed_event_and_late_check_in_update_in_place(members):
    url = members
    with connect(url) as conn:
        land(conn, "L1", [event("evt-1", "Hack Night")], [guest("evt-1", "gst-1", "ana@example.org")])
    sync(url, "L1")
    with connect(url) as conn:
        event_id = conn.execute("select id from hello_miami.events where luma_event_id = 'evt-1'").fetchone()[0]
        land(conn, "L2", [event("evt-1", "Hack Night: AI edition")],
             [guest("evt-1", "gst-1", "ana@example.org", checked_in_at="2026-11-25T23:05:00Z")])
    assert sync(url, "L2") == (1, 1)
    with connect(url) as conn:
        assert conn.execute("select id, name, stats from hello_miami.events where luma_event_id = 'evt-1'").fetchone() == (
            event_id, "Hack Night: AI edition", {"registered": 1, "checkedIn": 1})
        assert conn.execute("select status, checked_in_at from hello_miami.attendance where luma_event_id = 'evt-1' and member_id = '00000000-0000-5000-8000-000000000001'").fetchone() == (
            "checked-in", datetime(2026, 11, 25, 23, 5))
        # Luma later loses the check-in: the local check-in stands
        land(conn, "L3", [event("evt-1", "Hack Night: AI edition")], [guest("evt-1", "gst-1", "ana@example.org")])
    sync(url, "L3")
    with connect(url) as conn:
        assert conn.execute("select status, checked_in_at from hello_miami.attendance where luma_event_id = 'evt-1' and member_id = '00000000-0000-5000-8000-000000000001'").fetchone() == (
            "checked-in", datetime(2026, 11, 25, 23, 5))


def test_a_field_luma_leaves_empty_keeps_the_migrated_value(members):
    url = members
    with connect(url) as conn:
        conn.execute("update hello_miami.events set description = 'from MongoDB', cover_url = 'https://img/old.png' where luma_event_id = 'evt-old'")
        bare = {"api_id": "evt-old", "name": "Old night (Luma)", "start_at": "2025-01-01T23:00:00Z", "url": "https://lu.ma/old"}
        land(conn, "L1", [bare], [])
    assert sync(url, "L1") == (1, 0)
    with connect(url) as conn:
        assert conn.execute("select name, description, cover_url, timezone from hello_miami.events where luma_event_id = 'evt-old'").fetchone() == (
            "Old night (Luma)", "from MongoDB", "https://img/old.png", "UTC")


def test_raw_tables_not_there_yet(db_url):
    """dlt creates a raw table with its first row: a calendar that never listed an event (or a guest)."""
    assert sync(db_url, "L0") == (0, 0)
    with connect(db_url) as conn:
        conn.execute("create table raw_luma.events (api_id text, start_at timestamptz, updated_at timestamptz, record jsonb, _dlt_load_id text, _dlt_id text)")
        conn.execute("insert into raw_luma.events values ('evt-9', now(), null, %s, 'L1', 'x')", (json.dumps(event("evt-9", "No guests")),))
    assert sync(db_url, "L1") == (1, 0)
    with connect(db_url) as conn:
        assert conn.execute("select stats from hello_miami.events").fetchone()[0] == {"registered": 0, "checkedIn": 0}


def test_a_guest_matched_by_attendee_id_goes_to_the_profile_the_dry_run_picks(db_url):
    """int_hello_miami__guests.sql: user_api_id before api_id, then the smallest id among profiles
    sharing the attendee id, whatever their creation order."""
    small, large, by_api = ("00000000-0000-5000-8000-0000000000b1", "00000000-0000-5000-8000-0000000000b2",
                            "00000000-0000-5000-8000-0000000000b0")
    with connect(db_url) as conn:
        conn.execute("""insert into hello_miami.profiles (id, luma_email, luma_attendee_id, created_at) values
            (%s, 'later@example.org', 'usr-shared', '2026-01-02'),
            (%s, 'earlier@example.org', 'usr-shared', '2026-01-01'),
            (%s, 'byapi@example.org', 'gst-shared', '2025-01-01')""", (small, large, by_api))
        land(conn, "L1", [event("evt-1", "Hack Night")],
             [guest("evt-1", "gst-shared", "nobody@example.org", user_api_id="usr-shared")])
    sync(db_url, "L1")
    with connect(db_url) as conn:
        members = [r[0] for r in conn.execute("select member_id::text from hello_miami.attendance where luma_event_id = 'evt-1'")]
    assert members == [small], "SPEC §4 attendance: a guest matches lumaAttendeeId by user_api_id first, then the smallest profile id"

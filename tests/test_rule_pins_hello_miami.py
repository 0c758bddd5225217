"""Hello Miami rules of SPEC §4 that an earlier round of one-line mutations showed unpinned (issue
19): each test sets up the case the rule exists for and asserts the exact rows, with a message that
names the rule, so a weakened rule fails here and not only end to end."""

from __future__ import annotations

from datetime import datetime

from tests.model_fixtures import luma_events, luma_guests, mongo, oid, rows, run_transform
from tests.test_rule_hello_miami import date, doc, merges, sid

CHECKED_IN_AT = "SPEC §4 attendance: checked_in_at is the earliest known (MongoDB or Luma)"
FIELD_BY_FIELD = "SPEC §4 events: MongoDB/Luma disagreements are reported field by field"
NOT_ATTENDANCE = "SPEC §4 attendance: declined, waitlisted, invited and pending guests are not attendance"
DEMO_SLOT_EVENT = "SPEC §4 demo_slots.event_id resolves through the MongoDB event's lumaEventId"


def test_checked_in_at_is_the_earliest_of_mongo_and_luma_both_ways(db_url):
    luma_events(db_url, [{"api_id": "evt-1", "name": "E", "url": "u", "timezone": "UTC", "start_at": "2024-03-01T23:00:00Z"}])
    mongo(db_url, "profiles", [
        doc(1, lumaEmail="mongo-first@x.io", createdAt=date("2024-01-01T00:00:00Z")),
        doc(2, lumaEmail="luma-first@x.io", createdAt=date("2024-01-01T00:00:00Z")),
    ])
    mongo(db_url, "attendance", [
        doc(20, memberId={"$oid": oid(1)}, lumaEventId="evt-1", status="checked-in",
            checkedInAt=date("2024-03-01T23:10:00Z"), createdAt=date("2024-01-20T00:00:00Z")),
        doc(21, memberId={"$oid": oid(2)}, lumaEventId="evt-1", status="checked-in",
            checkedInAt=date("2024-03-01T23:40:00Z"), createdAt=date("2024-01-20T00:00:00Z")),
    ])
    luma_guests(db_url, "evt-1", [
        {"api_id": "g1", "email": "mongo-first@x.io", "approval_status": "approved", "checked_in_at": "2024-03-01T23:30:00Z"},
        {"api_id": "g2", "email": "luma-first@x.io", "approval_status": "approved", "checked_in_at": "2024-03-01T23:20:00Z"},
    ])
    run_transform(db_url)
    got = rows(db_url, "select p.luma_email, a.status, a.checked_in_at from hello_miami_next.attendance a"
                       " join hello_miami_next.profiles p on p.id = a.member_id order by 1")
    assert got == [
        ("luma-first@x.io", "checked-in", datetime(2024, 3, 1, 23, 20)),
        ("mongo-first@x.io", "checked-in", datetime(2024, 3, 1, 23, 10)),
    ], CHECKED_IN_AT


def test_every_compared_event_field_that_disagrees_is_one_conflict_row(db_url):
    mongo(db_url, "events", [
        doc(1, lumaEventId="evt-1", name="Mongo name", description="Mongo words", coverUrl="https://img/m.png",
            url="https://lu.ma/m", startAt=date("2024-03-01T23:00:00Z"), endAt=date("2024-03-02T01:00:00Z"),
            timezone="America/New_York", location={"type": "google", "name": "Old lab", "address": "2 Side", "lat": 1, "lng": 2},
            isCanceled=False, createdAt=date("2024-01-01T00:00:00Z")),
        # the same values on both sides: no conflict at all
        doc(2, lumaEventId="evt-2", name="Same", description="Same", coverUrl="https://img/s.png", url="https://lu.ma/s",
            startAt=date("2024-04-01T23:00:00Z"), endAt=date("2024-04-02T01:00:00Z"), timezone="UTC",
            location={"type": "google", "name": "Lab", "address": "1 Main", "lat": 25.5, "lng": -80.25}, isCanceled=True),
    ])
    luma_events(db_url, [
        {"api_id": "evt-1", "event": {"api_id": "evt-1", "name": "Luma name", "description": "Luma words",
                                      "cover_url": "https://img/l.png", "url": "https://lu.ma/l",
                                      "start_at": "2024-03-01T22:00:00Z", "end_at": "2024-03-02T02:00:00Z",
                                      "timezone": "America/Chicago", "is_canceled": True,
                                      "geo_address_info": {"type": "google", "place_name": "Lab", "address": "1 Main",
                                                           "latitude": 25.5, "longitude": -80.25}}},
        {"api_id": "evt-2", "name": "Same", "description": "Same", "cover_url": "https://img/s.png", "url": "https://lu.ma/s",
         "start_at": "2024-04-01T23:00:00Z", "end_at": "2024-04-02T01:00:00Z", "timezone": "UTC", "is_canceled": True,
         "geo_address_info": {"type": "google", "place_name": "Lab", "address": "1 Main", "latitude": 25.5, "longitude": -80.25}},
    ])
    run_id = run_transform(db_url)
    got = rows(db_url, "select key, field, left_value, right_value from migration.conflicts"
                       " where run_id = %s and kind = 'mongo_luma' order by field", (run_id,))
    assert got == sorted([
        ("evt-1", "name", "Mongo name", "Luma name"),
        ("evt-1", "description", "Mongo words", "Luma words"),
        ("evt-1", "cover_url", "https://img/m.png", "https://img/l.png"),
        ("evt-1", "url", "https://lu.ma/m", "https://lu.ma/l"),
        ("evt-1", "start_at", "2024-03-01T23:00:00.000Z", "2024-03-01T22:00:00.000Z"),
        ("evt-1", "end_at", "2024-03-02T01:00:00.000Z", "2024-03-02T02:00:00.000Z"),
        ("evt-1", "timezone", "America/New_York", "America/Chicago"),
        ("evt-1", "location", '{"lat": 1, "lng": 2, "name": "Old lab", "type": "google", "address": "2 Side"}',
         '{"lat": 25.5, "lng": -80.25, "name": "Lab", "type": "google", "address": "1 Main"}'),
        ("evt-1", "is_canceled", "false", "true"),
    ], key=lambda r: r[1]), FIELD_BY_FIELD
    # Luma's value is the one stored, field by field
    assert rows(db_url, "select name, description, cover_url, url, timezone, is_canceled from hello_miami_next.events"
                        " where luma_event_id = 'evt-1'") == [
        ("Luma name", "Luma words", "https://img/l.png", "https://lu.ma/l", "America/Chicago", True)
    ]


def test_declined_invited_pending_and_waitlisted_guests_are_not_attendance(db_url):
    luma_events(db_url, [{"api_id": "evt-1", "name": "E", "url": "u", "timezone": "UTC", "start_at": "2024-03-01T23:00:00Z"}])
    statuses = {"g1": "declined", "g2": "invited", "g3": "pending_approval", "g4": "waitlist", "g5": "approved"}
    mongo(db_url, "profiles", [doc(n, lumaEmail=f"{g}@x.io", createdAt=date("2024-01-01T00:00:00Z"))
                               for n, g in enumerate(statuses, start=1)])
    luma_guests(db_url, "evt-1", [{"api_id": g, "email": f"{g}@x.io", "approval_status": s, "registered_at": "2024-02-01T00:00:00Z"}
                                  for g, s in statuses.items()])
    run_id = run_transform(db_url)
    assert rows(db_url, "select p.luma_email, a.status from hello_miami_next.attendance a"
                        " join hello_miami_next.profiles p on p.id = a.member_id") == [("g5@x.io", "registered")], NOT_ATTENDANCE
    assert merges(db_url, run_id, "guests") == [
        (f"evt-1:{g}", "evt-1", "guest not attending") for g in ("g1", "g2", "g3", "g4")
    ], NOT_ATTENDANCE
    # none of them is registered in the event's stats either; the approved one is
    assert rows(db_url, "select stats from hello_miami_next.events") == [({"registered": 1, "checkedIn": 0},)]


def test_demo_slot_on_a_merged_mongo_event_points_at_the_target_event(db_url):
    mongo(db_url, "profiles", [doc(1, lumaEmail="a@x.io")])
    mongo(db_url, "events", [
        doc(2, lumaEventId="evt-7", name="E", url="u", timezone="UTC", startAt=date("2024-01-01T00:00:00Z"),
            createdAt=date("2024-01-01T00:00:00Z")),
        # a later document of the same Luma event: merged into doc 2
        doc(3, lumaEventId="evt-7", name="E again", url="u", timezone="UTC", startAt=date("2024-01-01T00:00:00Z"),
            createdAt=date("2024-02-01T00:00:00Z")),
    ])
    mongo(db_url, "demo_slots", [doc(10, memberId={"$oid": oid(1)}, eventId={"$oid": oid(3)}, title="Demo")])
    run_id = run_transform(db_url, groups=[f"{app}_{layer}" for app in ("podium", "hello_miami") for layer in ("staging", "intermediate")])
    # judged on the rule's own model first: a broken rule fails here by name, not by the candidate's NOT NULL
    assert rows(db_url, "select mongo_id, event_id, outcome from intermediate.int_hello_miami__demo_slots") == [
        (oid(10), sid(db_url, "events", "evt-7"), "migrated")
    ], DEMO_SLOT_EVENT
    run_transform(db_url, run_id, groups=[f"{app}_{layer}" for app in ("podium", "hello_miami") for layer in ("candidates", "reconcile")])
    assert merges(db_url, run_id, "events") == [(oid(3), oid(2), "duplicate lumaEventId")]
    assert rows(db_url, "select id, event_id, title from hello_miami_next.demo_slots") == [
        (sid(db_url, "demo_slots", oid(10)), sid(db_url, "events", "evt-7"), "Demo")
    ], DEMO_SLOT_EVENT

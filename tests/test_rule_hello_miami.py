"""SPEC §4 Hello Miami rules, one test each: raw MongoDB documents (Extended JSON) and Luma entries
in, exact candidate rows and migration rows out."""

from __future__ import annotations

from datetime import datetime

from tests.model_fixtures import luma_events, luma_guests, mongo, oid, rows, run_transform


def doc(n, **fields):
    return {"_id": {"$oid": oid(n)}, **fields}


def date(s):
    return {"$date": s}


def sid(url, table, key):
    return rows(url, "select migration.stable_id('hello_miami', %s, %s)", (table, key))[0][0]


def quarantine(url, run_id, table):
    return rows(url, "select source_id, reason from migration.quarantine where run_id = %s and source_table = %s order by 1", (run_id, table))


def merges(url, run_id, table):
    return rows(url, "select source_id, into_source_id, rule from migration.merges where run_id = %s and source_table = %s order by 1", (run_id, table))


def test_rule_profile_primary_verified_first_and_references_follow(db_url):
    mongo(db_url, "profiles", [
        doc(1, lumaEmail="Sam@X.io", bio="full", githubUsername="sam", createdAt=date("2024-01-01T00:00:00Z")),
        doc(2, lumaEmail="sam@x.io ", verificationStatus="verified", createdAt=date("2024-03-01T00:00:00Z")),
        doc(3, lumaEmail=None),
    ])
    mongo(db_url, "projects", [doc(10, memberId={"$oid": oid(1)}, title="T"), doc(11, memberId={"$oid": oid(99)}, title="U")])
    run_id = run_transform(db_url)
    assert rows(db_url, "select id, luma_email, verification_status, bio from hello_miami_next.profiles") == [
        (sid(db_url, "profiles", oid(2)), "sam@x.io", "verified", None)
    ]
    assert merges(db_url, run_id, "profiles") == [(oid(1), oid(2), "duplicate lumaEmail")]
    assert quarantine(db_url, run_id, "profiles") == [(oid(3), "missing lumaEmail")]
    assert rows(db_url, "select member_id from hello_miami_next.projects") == [(sid(db_url, "profiles", oid(2)),)]
    assert quarantine(db_url, run_id, "projects") == [(oid(11), "memberId not found")]


def test_rule_empty_clerk_id_null(db_url):
    mongo(db_url, "profiles", [
        doc(1, lumaEmail="a@x.io", clerkUserId="", createdAt=date("2024-01-01T00:00:00Z")),
        doc(2, lumaEmail="b@x.io", clerkUserId="", createdAt=date("2024-01-02T00:00:00Z")),
        doc(3, lumaEmail="c@x.io", clerkUserId="user_1", createdAt=date("2024-01-03T00:00:00Z")),
        doc(4, lumaEmail="d@x.io", clerkUserId="user_1", createdAt=date("2024-01-04T00:00:00Z")),
    ])
    run_id = run_transform(db_url)
    assert rows(db_url, "select luma_email, clerk_user_id from hello_miami_next.profiles order by 1") == [
        ("a@x.io", None), ("b@x.io", None), ("c@x.io", "user_1"), ("d@x.io", None)
    ]
    assert rows(db_url, "select source_id, field, original_value, reason from migration.value_fixes where run_id = %s", (run_id,)) == [
        (oid(4), "clerkUserId", "user_1", "duplicate clerkUserId")
    ]


def test_rule_timestamps_utc_and_objectid_fallback(db_url):
    mongo(db_url, "profiles", [
        doc(1, lumaEmail="a@x.io", createdAt=date("2024-05-01T12:00:00-04:00"), updatedAt=date("2024-05-02T00:00:00Z")),
        doc(2, lumaEmail="b@x.io", createdAt={"$date": {"$numberLong": "999999999999999"}}),
    ])
    run_transform(db_url)
    assert rows(db_url, "select luma_email, created_at, updated_at from hello_miami_next.profiles order by 1") == [
        ("a@x.io", datetime(2024, 5, 1, 16, 0), datetime(2024, 5, 2)),
        ("b@x.io", datetime(2023, 11, 14, 22, 13, 20), datetime(2023, 11, 14, 22, 13, 20)),  # ObjectId time
    ]


def test_rule_icon_fallback(db_url):
    mongo(db_url, "badges", [
        doc(1, name="New", iconAscii="<*>", criteria="c", createdAt=date("2024-01-01T00:00:00Z")),
        doc(2, name="Old", icon=":)", criteria="c", createdAt=date("2024-01-01T00:00:00Z")),
        doc(3, name="None", criteria="c", createdAt=date("2024-01-01T00:00:00Z")),
        doc(4, name="New", iconAscii="dup", criteria="c", createdAt=date("2024-02-01T00:00:00Z")),
    ])
    run_id = run_transform(db_url)
    assert rows(db_url, "select name, icon_ascii from hello_miami_next.badges order by 1") == [("New", "<*>"), ("None", ""), ("Old", ":)")]
    assert quarantine(db_url, run_id, "badges") == [(oid(4), "duplicate name")]
    assert rows(db_url, "select source_id, reason from migration.value_fixes where run_id = %s", (run_id,)) == [(oid(3), "missing icon")]


def test_rule_luma_over_mongo_with_conflicts(db_url):
    mongo(db_url, "events", [
        doc(1, lumaEventId="evt-1", name="Old name", url="https://lu.ma/a", timezone="America/New_York",
            startAt=date("2024-03-01T23:00:00Z"), stats={"registered": 9, "checkedIn": 9}, createdAt=date("2024-01-01T00:00:00Z")),
        doc(2, lumaEventId="evt-old", name="Mongo only", url="https://lu.ma/o", timezone="America/New_York",
            startAt=date("2023-03-01T23:00:00Z"), stats={"registered": 4, "checkedIn": 2}, createdAt=date("2023-01-01T00:00:00Z")),
        doc(3, name="No luma id", startAt=date("2023-03-01T23:00:00Z")),
        doc(4, lumaEventId="evt-1", name="Dup", createdAt=date("2024-02-01T00:00:00Z")),
    ])
    luma_events(db_url, [
        {"api_id": "evt-1", "event": {"api_id": "evt-1", "name": "New name", "url": "https://lu.ma/a", "timezone": "America/New_York",
                                      "start_at": "2024-03-01T23:00:00.000Z",
                                      "geo_address_info": {"type": "google", "place_name": "Lab", "address": "1 Main", "latitude": 25.7, "longitude": -80.2}}},
        {"api_id": "evt-2", "name": "Luma only", "url": "https://lu.ma/b", "timezone": "UTC", "start_at": "2024-04-01T23:00:00Z"},
    ])
    run_id = run_transform(db_url)
    assert rows(db_url, "select luma_event_id, name, location, stats, last_synced_at, created_at from hello_miami_next.events order by 1") == [
        ("evt-1", "New name", {"type": "google", "name": "Lab", "address": "1 Main", "lat": 25.7, "lng": -80.2},
         {"registered": 0, "checkedIn": 0}, datetime(2026, 1, 15, 12), datetime(2024, 1, 1)),
        ("evt-2", "Luma only", None, {"registered": 0, "checkedIn": 0}, datetime(2026, 1, 15, 12), datetime(2024, 4, 1, 23)),
        ("evt-old", "Mongo only", None, {"registered": 4, "checkedIn": 2}, datetime(2026, 1, 15, 12), datetime(2023, 1, 1)),
    ]
    assert rows(db_url, "select kind, key, field, left_value, right_value from migration.conflicts where run_id = %s", (run_id,)) == [
        ("mongo_luma", "evt-1", "name", "Old name", "New name")
    ]
    assert quarantine(db_url, run_id, "events") == [(oid(3), "missing lumaEventId")]
    assert merges(db_url, run_id, "events") == [(oid(4), oid(1), "duplicate lumaEventId")]
    lineage = rows(db_url, "select source, source_id from migration.id_lineage where target_id = %s order by 1, 2", (sid(db_url, "events", "evt-1"),))
    assert lineage == [("luma", "evt-1"), ("mongo", oid(1)), ("mongo", oid(4))]


def _event_with_guests(db_url):
    luma_events(db_url, [{"api_id": "evt-1", "name": "E", "url": "u", "timezone": "UTC", "start_at": "2024-03-01T23:00:00Z"}])
    mongo(db_url, "profiles", [
        doc(1, lumaEmail="member@x.io", createdAt=date("2024-01-01T00:00:00Z")),
        doc(2, lumaEmail="byid@x.io", lumaAttendeeId="usr-2", createdAt=date("2024-01-01T00:00:00Z")),
        doc(3, lumaEmail="local@x.io", createdAt=date("2024-01-01T00:00:00Z")),
    ])
    luma_guests(db_url, "evt-1", [
        {"api_id": "g1", "guest": {"api_id": "g1", "email": "Member@x.io", "approval_status": "approved", "registered_at": "2024-02-01T00:00:00Z"}},
        {"api_id": "g2", "user_api_id": "usr-2", "user_email": "other@x.io", "approval_status": "declined",
         "event_tickets": [{"checked_in_at": "2024-03-01T23:30:00Z"}, {"checked_in_at": None}]},
        {"api_id": "g3", "email": "stranger@x.io", "approval_status": "approved"},
        {"api_id": "g4", "email": "nope@x.io", "approval_status": "waitlist"},
        {"api_id": "g5", "email": "local@x.io", "approval_status": "approved", "registered_at": "2024-02-02T00:00:00Z"},
    ])


def test_rule_stats_from_luma_guests(db_url):
    _event_with_guests(db_url)
    mongo(db_url, "events", [doc(9, lumaEventId="evt-1", stats={"registered": 3, "checkedIn": 3})])
    run_id = run_transform(db_url)
    # approved or checked in: g1, g2, g3, g5; checked in: g2 (a ticket)
    assert rows(db_url, "select stats from hello_miami_next.events") == [({"registered": 4, "checkedIn": 1},)]
    assert rows(db_url, "select source_id, outcome_rule from (select source_id, rule as outcome_rule from migration.merges where run_id = %s and source_table = 'guests') m order by 1", (run_id,)) == [
        ("evt-1:g3", "guest counted in event stats"), ("evt-1:g4", "guest not attending")
    ]
    assert rows(db_url, "select migrated, merged, quarantined from migration.count_ledger where run_id = %s and source = 'luma' and source_table = 'guests'", (run_id,)) == [(3, 2, 0)]


def test_rule_local_checkin_stands(db_url):
    _event_with_guests(db_url)
    mongo(db_url, "attendance", [
        doc(20, memberId={"$oid": oid(3)}, lumaEventId="evt-1", status="checked-in",
            checkedInAt=date("2024-03-01T23:10:00Z"), createdAt=date("2024-01-20T00:00:00Z")),
        doc(21, memberId={"$oid": oid(99)}, lumaEventId="evt-1", status="registered"),
    ])
    run_id = run_transform(db_url)
    got = rows(db_url, "select p.luma_email, a.status, a.checked_in_at, a.created_at, a.id from hello_miami_next.attendance a join hello_miami_next.profiles p on p.id = a.member_id order by 1")
    assert [g[:3] for g in got] == [
        ("byid@x.io", "checked-in", datetime(2024, 3, 1, 23, 30)),
        ("local@x.io", "checked-in", datetime(2024, 3, 1, 23, 10)),
        ("member@x.io", "registered", None),
    ]
    assert got[1][3] == datetime(2024, 1, 20) and got[2][3] == datetime(2024, 2, 1)
    assert got[1][4] == sid(db_url, "attendance", oid(20))
    assert quarantine(db_url, run_id, "attendance") == [(oid(21), "memberId not found")]


def test_rule_survey_complete_wins(db_url):
    mongo(db_url, "profiles", [doc(1, lumaEmail="a@x.io")])
    mongo(db_url, "surveys", [
        doc(5, slug="onboarding", title="O", type="onboarding", questions=[{"id": "q1", "text": "?", "type": "text"}], createdAt=date("2024-01-01T00:00:00Z")),
        doc(6, slug="onboarding", title="Again", type="onboarding", questions=[], createdAt=date("2024-02-01T00:00:00Z")),
    ])
    mongo(db_url, "survey_responses", [
        doc(10, surveyId={"$oid": oid(5)}, memberId={"$oid": oid(1)}, isComplete=True, submittedAt=date("2024-01-02T00:00:00Z"), responses={"q1": {"type": "text", "value": "first"}}),
        doc(11, surveyId={"$oid": oid(5)}, memberId={"$oid": oid(1)}, isComplete=False, submittedAt=date("2024-01-05T00:00:00Z"), responses={}),
        doc(12, surveyId={"$oid": oid(6)}, memberId={"$oid": oid(1)}, isComplete=True),
    ])
    run_id = run_transform(db_url)
    assert rows(db_url, "select id, is_complete, responses from hello_miami_next.survey_responses") == [
        (sid(db_url, "survey_responses", oid(10)), True, {"q1": {"type": "text", "value": "first"}})
    ]
    assert merges(db_url, run_id, "survey_responses") == [(oid(11), oid(10), "duplicate response")]
    assert quarantine(db_url, run_id, "surveys") == [(oid(6), "duplicate slug")]
    assert quarantine(db_url, run_id, "survey_responses") == [(oid(12), "surveyId not migrated")]


def test_rule_demo_slot_event_via_luma_id(db_url):
    mongo(db_url, "profiles", [doc(1, lumaEmail="a@x.io")])
    mongo(db_url, "events", [
        doc(2, lumaEventId="evt-7", name="E", url="u", timezone="UTC", startAt=date("2024-01-01T00:00:00Z")),
        doc(3, name="no luma id", url="u", timezone="UTC", startAt=date("2024-01-01T00:00:00Z")),
    ])
    mongo(db_url, "demo_slots", [
        doc(10, memberId={"$oid": oid(1)}, eventId={"$oid": oid(2)}, title="Demo", requestedTime="8:30 PM"),
        doc(11, memberId={"$oid": oid(1)}, eventId={"$oid": oid(3)}, title="Demo"),
        doc(12, memberId={"$oid": oid(1)}, eventId={"$oid": oid(77)}, title="Demo"),
    ])
    run_id = run_transform(db_url)
    assert rows(db_url, "select event_id, title, requested_time, duration_minutes, status from hello_miami_next.demo_slots") == [
        (sid(db_url, "events", "evt-7"), "Demo", "8:30 PM", 5, "pending")
    ]
    assert quarantine(db_url, run_id, "demo_slots") == [(oid(11), "eventId not migrated"), (oid(12), "eventId not found")]


def test_rule_pending_users_email_and_attendee_id(db_url):
    mongo(db_url, "pending_users", [
        doc(1, email="P@x.io", name="P", lumaAttendeeId="usr-1", createdAt=date("2024-01-01T00:00:00Z")),
        doc(2, email="p@x.io", name="P again", lumaAttendeeId="usr-9", createdAt=date("2024-01-02T00:00:00Z")),
        doc(3, email="q@x.io", name="Q", createdAt=date("2024-01-02T00:00:00Z")),
        doc(4, email="r@x.io", name="R", lumaAttendeeId="usr-1", createdAt=date("2024-01-03T00:00:00Z")),
    ])
    run_id = run_transform(db_url)
    assert rows(db_url, "select email, luma_attendee_id from hello_miami_next.pending_users") == [("p@x.io", "usr-1")]
    assert merges(db_url, run_id, "pending_users") == [(oid(2), oid(1), "duplicate email")]
    assert quarantine(db_url, run_id, "pending_users") == [(oid(3), "missing lumaAttendeeId"), (oid(4), "duplicate lumaAttendeeId")]


def test_rule_member_badges_and_webhooks(db_url):
    mongo(db_url, "profiles", [doc(1, lumaEmail="a@x.io", verificationStatus="verified"), doc(2, lumaEmail="A@x.io")])
    mongo(db_url, "badges", [doc(5, name="B", iconAscii="*", criteria="c")])
    mongo(db_url, "member_badges", [
        doc(10, memberId={"$oid": oid(1)}, badgeId={"$oid": oid(5)}, awardedAt=date("2024-01-01T00:00:00Z")),
        doc(11, memberId={"$oid": oid(2)}, badgeId={"$oid": oid(5)}, awardedAt=date("2024-02-01T00:00:00Z")),
        doc(12, memberId={"$oid": oid(1)}, badgeId={"$oid": oid(66)}),
    ])
    mongo(db_url, "luma_webhooks", [doc(20, type="guest.updated", payload={"n": {"$numberLong": "5"}, "at": date("2024-01-01T00:00:00Z")})])
    run_id = run_transform(db_url)
    assert rows(db_url, "select awarded_at from hello_miami_next.member_badges") == [(datetime(2024, 1, 1),)]
    assert merges(db_url, run_id, "member_badges") == [(oid(11), oid(10), "duplicate member_badge")]
    assert quarantine(db_url, run_id, "member_badges") == [(oid(12), "badgeId not found")]
    assert rows(db_url, "select type, payload from hello_miami_next.luma_webhooks") == [
        ("guest.updated", {"n": 5, "at": "2024-01-01T00:00:00Z"})
    ]


def test_rule_profile_primary_among_unverified_most_complete_then_oldest(db_url):
    mongo(db_url, "profiles", [
        # no verified one: the most complete wins though it is the newest
        doc(1, lumaEmail="kim@x.io", createdAt=date("2024-01-01T00:00:00Z")),
        doc(2, lumaEmail="KIM@x.io", bio="b", githubUsername="kim", createdAt=date("2024-06-01T00:00:00Z")),
        # equally complete: the oldest wins
        doc(3, lumaEmail="lee@x.io", bio="new", createdAt=date("2024-05-01T00:00:00Z")),
        doc(4, lumaEmail=" lee@x.io", bio="old", createdAt=date("2024-02-01T00:00:00Z")),
    ])
    run_id = run_transform(db_url)
    assert rows(db_url, "select id, luma_email, bio from hello_miami_next.profiles order by 2") == [
        (sid(db_url, "profiles", oid(2)), "kim@x.io", "b"), (sid(db_url, "profiles", oid(4)), "lee@x.io", "old"),
    ]
    assert merges(db_url, run_id, "profiles") == [(oid(1), oid(2), "duplicate lumaEmail"), (oid(3), oid(4), "duplicate lumaEmail")]


def test_rule_survey_between_complete_responses_the_latest_submitted_wins(db_url):
    mongo(db_url, "profiles", [doc(1, lumaEmail="a@x.io")])
    mongo(db_url, "surveys", [doc(5, slug="annual", title="A", type="annual", questions=[], createdAt=date("2024-01-01T00:00:00Z"))])
    mongo(db_url, "survey_responses", [
        doc(10, surveyId={"$oid": oid(5)}, memberId={"$oid": oid(1)}, isComplete=True, submittedAt=date("2024-03-01T00:00:00Z"), responses={"q": {"type": "text", "value": "older"}}),
        doc(11, surveyId={"$oid": oid(5)}, memberId={"$oid": oid(1)}, isComplete=True, submittedAt=date("2024-04-01T00:00:00Z"), responses={"q": {"type": "text", "value": "latest"}}),
        doc(12, surveyId={"$oid": oid(5)}, memberId={"$oid": oid(1)}, isComplete=False, submittedAt=date("2024-05-01T00:00:00Z"), responses={}),
    ])
    run_id = run_transform(db_url)
    assert rows(db_url, "select id, responses from hello_miami_next.survey_responses") == [
        (sid(db_url, "survey_responses", oid(11)), {"q": {"type": "text", "value": "latest"}})
    ]
    assert merges(db_url, run_id, "survey_responses") == [(oid(10), oid(11), "duplicate response"), (oid(12), oid(11), "duplicate response")]

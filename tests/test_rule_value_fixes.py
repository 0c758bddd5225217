"""SPEC §4, no value is changed silently (issue 15, item 4): a value the source holds that a model
cannot store as it is (NaN, a date beyond year 9999, a checkbox that is not true/false, a fraction
in an integer column) is stored as its default or fallback and recorded in migration.value_fixes
with the original; an absent value takes its default without a record."""

from __future__ import annotations

from datetime import datetime

from tests.model_fixtures import airtable, mongo, oid, rows, run_transform
from tests.test_rule_hello_miami import date, doc
from tests.test_rule_podium import owner_event, rec


def fixes(url, run_id, table):
    return rows(url, "select source_id, field, original_value, stored_value, reason from migration.value_fixes"
                     " where run_id = %s and source_table = %s order by 1, 2", (run_id, table))


def test_rule_nan_streak_and_year_20000_created_at_are_recorded(db_url):
    mongo(db_url, "profiles", [
        doc(1, lumaEmail="a@x.io", streakCount={"$numberDecimal": "NaN"},
            createdAt={"$date": {"$numberLong": "568971820800000"}}),  # 20000-01-01
        doc(2, lumaEmail="b@x.io", streakCount=2.5, isAppAdmin="yes", skills="python",
            createdAt=date("2024-01-01T00:00:00Z"), updatedAt=date("not a date")),
        doc(3, lumaEmail="c@x.io", streakCount={"$numberLong": "99999999999"}, createdAt=date("2024-01-01T00:00:00Z")),
        doc(4, lumaEmail="d@x.io", streakCount=None, createdAt=date("2024-01-01T00:00:00Z")),  # null: default, no record
        doc(5, lumaEmail="e@x.io", streakCount=7, bio={"text": "hi"}, createdAt=date("2024-01-01T00:00:00Z")),
    ])
    run_id = run_transform(db_url)
    assert rows(db_url, "select luma_email, streak_count, is_app_admin, skills, created_at, updated_at, bio"
                        " from hello_miami_next.profiles order by 1") == [
        ("a@x.io", 0, False, [], datetime(2023, 11, 14, 22, 13, 20), datetime(2023, 11, 14, 22, 13, 20), None),
        ("b@x.io", 2, False, [], datetime(2024, 1, 1), datetime(2024, 1, 1), None),
        ("c@x.io", 0, False, [], datetime(2024, 1, 1), datetime(2024, 1, 1), None),
        ("d@x.io", 0, False, [], datetime(2024, 1, 1), datetime(2024, 1, 1), None),
        ("e@x.io", 7, False, [], datetime(2024, 1, 1), datetime(2024, 1, 1), None),
    ]
    assert fixes(db_url, run_id, "profiles") == [
        (oid(1), "createdAt", '{"$date": {"$numberLong": "568971820800000"}}', "2023-11-14 22:13:20", "not a date in years 1-9999"),
        (oid(1), "streakCount", '{"$numberDecimal": "NaN"}', "0", "not a number in integer range"),
        (oid(2), "isAppAdmin", "yes", "false", "not true/false"),
        (oid(2), "skills", "python", "[]", "not an array"),
        (oid(2), "streakCount", "2.5", "2", "fraction dropped"),
        (oid(2), "updatedAt", '{"$date": "not a date"}', "2024-01-01 00:00:00", "not a date in years 1-9999"),
        (oid(3), "streakCount", '{"$numberLong": "99999999999"}', "0", "not a number in integer range"),
        (oid(5), "bio", '{"text": "hi"}', None, "not text"),
    ]


def test_rule_fallbacks_of_other_collections_are_recorded(db_url):
    mongo(db_url, "profiles", [doc(1, lumaEmail="a@x.io", createdAt=date("2024-01-01T00:00:00Z"))])
    mongo(db_url, "demo_slots", [doc(10, memberId={"$oid": oid(1)}, eventId={"$oid": oid(20)}, title="Demo", durationMinutes="ten",
                                     createdAt=date("2024-01-01T00:00:00Z"))])
    mongo(db_url, "events", [doc(20, lumaEventId="evt-old", name="Old", url="u", timezone="UTC", startAt=date("someday"),
                                 createdAt=date("2024-02-01T00:00:00Z"), stats={"registered": {"$numberDouble": "NaN"}})])
    mongo(db_url, "surveys", [doc(30, slug="s", title="T", type="annual", isActive="no", questions=[],
                                  createdAt=date("2024-01-01T00:00:00Z"))])
    mongo(db_url, "badges", [doc(40, name="Builder", iconAscii="<*>", criteria={"shipped": 3},
                                 createdAt=date("2024-01-01T00:00:00Z"))])
    run_id = run_transform(db_url)
    assert rows(db_url, "select duration_minutes from hello_miami_next.demo_slots") == [(5,)]
    assert rows(db_url, "select start_at, stats from hello_miami_next.events") == [
        (datetime(2024, 2, 1), {"registered": 0, "checkedIn": 0})]
    assert fixes(db_url, run_id, "demo_slots") == [(oid(10), "durationMinutes", "ten", "5", "not a number in integer range")]
    assert fixes(db_url, run_id, "events") == [
        (oid(20), "startAt", '{"$date": "someday"}', "2024-02-01 00:00:00", "not a date in years 1-9999"),
        (oid(20), "stats.registered", '{"$numberDouble": "NaN"}', "0", "not a number in integer range"),
    ]
    assert fixes(db_url, run_id, "surveys") == [(oid(30), "isActive", "no", "true", "not true/false")]
    assert rows(db_url, "select criteria from hello_miami_next.badges") == [("",)]
    assert fixes(db_url, run_id, "badges") == [(oid(40), "criteria", '{"shipped": 3}', "", "not text")]


def test_rule_podium_defaults_over_present_values_are_recorded(db_url):
    airtable(db_url, "users", [rec("recU1", 1, email="a@x.io", first_name="A", city=["Miami"])])
    airtable(db_url, "events", [owner_event("recE1", "recU1", votable="yes", leaderboard_enabled=True)])
    airtable(db_url, "projects", [
        rec("recP1", 1, name="P", join_code="P1", owner=["recU1"], event=["recE1"], hours_spent="lots", points=3.7),
        rec("recP2", 2, name="Q", join_code="P2", owner=["recU1"], event=["recE1"]),  # absent: 0, no record
    ])
    run_id = run_transform(db_url)
    assert rows(db_url, "select city from podium_next.users") == [("",)]
    assert rows(db_url, "select votable, leaderboard_enabled from podium_next.events") == [(False, True)]
    assert rows(db_url, "select airtable_id, hours_spent, points from podium_next.projects order by 1") == [
        ("recP1", 0, 3), ("recP2", 0, 0)]
    assert fixes(db_url, run_id, "users") == [("recU1", "city", '["Miami"]', "", "not text")]
    assert fixes(db_url, run_id, "events") == [("recE1", "votable", "yes", "false", "not true/false")]
    assert fixes(db_url, run_id, "projects") == [
        ("recP1", "hours_spent", "lots", "0", "not a number in integer range"),
        ("recP1", "points", "3.7", "3", "fraction dropped"),
    ]


YEAR_20000_MS = 568_971_820_800_000  # 20000-01-01T00:00:00Z


def test_bson_snapshot_nan_decimal_and_year_20000_land_and_are_recorded(db_url, tmp_path):
    """The issue's own input, through a mongodump file and the landing: Decimal128 NaN in
    streakCount, createdAt in year 20000."""
    import uuid

    import bson
    from bson import Decimal128

    from pipelines import land as landing
    from tests.test_mongo_snapshot import write_bson, write_manifest

    (tmp_path / "snap" / "mongo").mkdir(parents=True)
    write_manifest(tmp_path / "snap", {"profiles": 1})
    write_bson(tmp_path / "snap" / "mongo" / "profiles.bson", [{
        "_id": bson.ObjectId(oid(1)), "lumaEmail": "nan@x.io", "streakCount": Decimal128("NaN"),
        "createdAt": bson.DatetimeMS(YEAR_20000_MS)}])
    run_id = str(uuid.uuid4())
    landing.land("mongo", str(tmp_path / "snap"), run_id, db_url)
    run_transform(db_url, run_id)
    assert rows(db_url, "select streak_count, created_at from hello_miami_next.profiles") == [(0, datetime(2023, 11, 14, 22, 13, 20))]
    assert fixes(db_url, run_id, "profiles") == [
        (oid(1), "createdAt", '{"$date": {"$numberLong": "568971820800000"}}', "2023-11-14 22:13:20", "not a date in years 1-9999"),
        (oid(1), "streakCount", '{"$numberDecimal": "NaN"}', "0", "not a number in integer range"),
    ]


def test_rule_luma_event_values_that_do_not_read_are_recorded(db_url):
    from tests.model_fixtures import luma_events

    luma_events(db_url, [{"api_id": "evt-9", "event": {"name": "Night", "url": "u", "timezone": ["UTC"],
                                                       "start_at": "2026-01-10T23:00:00Z", "is_canceled": "no",
                                                       "geo_address_info": {"type": "venue", "latitude": "north", "longitude": -80.2}}}])
    run_id = run_transform(db_url)
    assert rows(db_url, "select timezone, is_canceled, location->'lat', location->'lng' from hello_miami_next.events") == [
        ("", False, None, -80.2)]
    assert rows(db_url, "select source, source_id, field, original_value, stored_value, reason from migration.value_fixes"
                        " where run_id = %s order by field", (run_id,)) == [
        ("luma", "evt-9", "geo_address_info.latitude", "north", None, "not a number"),
        ("luma", "evt-9", "is_canceled", "no", "false", "not true/false"),
        ("luma", "evt-9", "timezone", '["UTC"]', "", "not text"),
    ]

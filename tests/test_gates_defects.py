"""Crafted defects for the gates the other gate tests do not reach: the transform gate's primary key
rule, the reconcile gate's classification anti-joins and Hello Miami row comparison, and the
warning gates (MongoDB/Luma conflicts, reverse-link asymmetry, mapped fields present in no record),
which must report with examples but never fail an error-severity gate. Each gate is also seen to
pass on the clean data. Real GX, real PostgreSQL, real transform runs."""

from __future__ import annotations

import uuid

from pipelines.registry import mapped_fields
from pipelines.database import connect
from tests.gate_helpers import failures, run_phase
from tests.model_fixtures import airtable, luma_events, luma_guests, mongo, oid, rows, run_transform
from tests.spec_catalog import filled

ROW_HASH = "migrated values match the source (row hash)"
CONFLICTS = "MongoDB and Luma agree on event fields"
REVERSE = "users.attending_events agrees with events.attendees"
FIELDS_IN_RECORDS = "mapped fields occur in the records"


def execute(url, sql, params=()):
    with connect(url, autocommit=True) as conn:
        conn.execute(sql, params)


def rec(rid, created, **fields):
    return {"id": rid, "createdTime": f"2024-01-{created:02d}T00:00:00.000Z", "fields": fields}


def doc(n, **fields):
    return {"_id": {"$oid": oid(n)}, **fields}


def by_rule(outcomes, severity="error"):
    """(application, table, rule) -> outcome of every gate of `severity` that failed."""
    return {(o.gate.application, o.gate.table, o.gate.rule): o for o in failures(outcomes, severity)}


def _sources(url, asymmetric=False, luma_name="Demo night") -> str:
    """Podium and Hello Miami raw records, transformed; clean unless asked for a warning's cause."""
    airtable(url, "users", [
        rec("recU1", 1, email="ada@example.com", first_name="Ada", attending_events=["recE1"]),
        # clean: recU2 lists the event that lists recU2; asymmetric: only events.attendees does
        rec("recU2", 2, email="bob@example.com", first_name="Bob", **({} if asymmetric else {"attending_events": ["recE1"]})),
    ])
    airtable(url, "events", [rec("recE1", 1, name="E", slug="e", join_code="E", owner=["recU1"], attendees=["recU1", "recU2"])])
    mongo(url, "profiles", [doc(1, lumaEmail="sam@x.io", bio="Builds robots", createdAt={"$date": "2024-01-01T00:00:00Z"})])
    mongo(url, "projects", [doc(10, memberId={"$oid": oid(1)}, title="Robot", description="arm")])
    mongo(url, "events", [doc(20, lumaEventId="evt-1", name="Demo night", url="https://lu.ma/a", timezone="UTC",
                              startAt={"$date": "2024-03-01T23:00:00Z"}, createdAt={"$date": "2024-01-01T00:00:00Z"})])
    luma_events(url, [{"api_id": "evt-1", "name": luma_name, "url": "https://lu.ma/a", "timezone": "UTC",
                       "start_at": "2024-03-01T23:00:00.000Z"}])
    return run_transform(url)


# --- transform: primary key unique and not null -------------------------------------------------

def test_transform_primary_key_gate_fails_on_a_duplicate_and_a_null_id(db_url):
    u1, e1, p1 = (str(uuid.uuid4()) for _ in range(3))
    rows(db_url, filled("insert into podium_next.users (id, airtable_id, email, first_name) values (%s, 'recU1', 'a@x.io', 'A') returning 1"), (u1,))
    rows(db_url, filled("insert into podium_next.events (id, airtable_id, name, slug, join_code, owner_id) values (%s, 'recE1', 'E', 'e', 'E', %s) returning 1"), (e1, u1))
    rows(db_url, "insert into hello_miami_next.profiles (id, luma_email) values (%s, 'sam@x.io') returning 1", (p1,))
    clean = run_phase(db_url, "transform")
    assert [o.message for o in clean if not o.passed] == []
    pk_rule = "primary key (id) unique and not null"
    assert {(o.gate.table, o.gate.rule) for o in clean} >= {("podium_next.users", pk_rule), ("hello_miami_next.profiles", pk_rule)}

    # the candidates' own constraints would refuse the defects: drop them (cascade: the FKs on them)
    execute(db_url, "alter table podium_next.users drop constraint users_pkey cascade")
    rows(db_url, filled("insert into podium_next.users (id, airtable_id, email, first_name) values (%s, 'recU9', 'c@x.io', 'C') returning 1"), (u1,))
    execute(db_url, "alter table hello_miami_next.profiles drop constraint profiles_pkey cascade")
    execute(db_url, "alter table hello_miami_next.profiles alter column id drop not null")
    rows(db_url, "insert into hello_miami_next.profiles (id, luma_email) values (null, 'kim@x.io') returning 1")
    failed = by_rule(run_phase(db_url, "transform"))
    assert set(failed) == {
        ("podium", "podium_next.users", pk_rule),
        ("hello_miami", "hello_miami_next.profiles", pk_rule),
        ("hello_miami", "hello_miami_next.profiles", "required columns filled"),  # id null
    }
    duplicate = failed[("podium", "podium_next.users", pk_rule)]
    assert duplicate.failed_count == 1 and duplicate.examples == [f"{u1}: 2 rows share this key"]
    assert duplicate.message == f"podium_next.users: {pk_rule}: 1 failing (e.g. {u1}: 2 rows share this key)"
    null = failed[("hello_miami", "hello_miami_next.profiles", pk_rule)]
    assert null.failed_count == 1 and null.examples == ["null: 1 rows without a key"]
    assert failed[("hello_miami", "hello_miami_next.profiles", "required columns filled")].examples == ["null: empty: id"]


# --- reconcile: clean data passes every gate, warnings included --------------------------------

def test_reconcile_gates_all_pass_on_clean_sources(db_url):
    run_id = _sources(db_url)
    outcomes = run_phase(db_url, "reconcile", run_id)
    assert [o.message for o in outcomes if not o.passed] == []
    gates = {(o.gate.application, o.gate.table, o.gate.rule, o.gate.severity) for o in outcomes}
    for app in ("podium", "hello_miami"):
        assert (app, "classification -> raw", "every classified record was landed", "error") in gates
        assert (app, "classification", "each record classified exactly once", "error") in gates
        assert (app, "migration.quarantine", "a quarantined record has no lineage", "error") in gates
    assert ("hello_miami", "hello_miami_next.profiles", ROW_HASH, "error") in gates
    assert ("hello_miami", "hello_miami_next.projects", ROW_HASH, "error") in gates
    assert ("hello_miami", "migration.conflicts", CONFLICTS, "warning") in gates
    assert ("podium", "migration.conflicts", REVERSE, "warning") in gates


# --- reconcile: classification <-> raw, classification uniqueness, quarantine vs lineage --------

def test_reconcile_gate_fails_on_phantom_twice_classified_and_quarantined_with_lineage(db_url):
    run_id = _sources(db_url)
    # a classified record that was never landed
    rows(db_url, "insert into intermediate.int_podium__classification (source, source_table, source_id, outcome, reason, target_table)"
                 " values ('airtable', 'users', 'recGhost', 'quarantined', 'missing email', 'podium.users') returning 1")
    # a record classified twice
    rows(db_url, "insert into intermediate.int_podium__classification select * from intermediate.int_podium__classification"
                 " where source = 'airtable' and source_table = 'users' and source_id = 'recU2' returning 1")
    # a migrated profile (it has its lineage row) also quarantined
    rows(db_url, "insert into migration.quarantine (run_id, source, source_table, source_id, reason)"
                 " values (%s, 'mongo', 'profiles', %s, 'missing lumaEmail') returning 1", (run_id, oid(1)))
    failed = by_rule(run_phase(db_url, "reconcile", run_id))
    assert set(failed) == {
        ("podium", "classification -> raw", "every classified record was landed"),
        ("podium", "classification", "each record classified exactly once"),
        ("hello_miami", "migration.quarantine", "a quarantined record has no lineage"),
    }
    phantom = failed[("podium", "classification -> raw", "every classified record was landed")]
    assert phantom.failed_count == 1 and phantom.examples == ["airtable.users:recGhost: classified but never landed"]
    assert phantom.message.startswith("classification -> raw: every classified record was landed: 1 failing")
    twice = failed[("podium", "classification", "each record classified exactly once")]
    assert twice.failed_count == 1 and twice.examples == ["airtable.users:recU2: 2 classifications"]
    quarantined = failed[("hello_miami", "migration.quarantine", "a quarantined record has no lineage")]
    assert quarantined.failed_count == 1 and quarantined.examples == [f"mongo.profiles:{oid(1)}: quarantined and in the lineage"]


def test_phantom_classification_in_a_table_with_no_landed_record_fails(db_url):
    run_id = _sources(db_url)
    assert rows(db_url, "select count(*) from raw_airtable.votes") == [(0,)]
    rows(db_url, "insert into intermediate.int_podium__classification (source, source_table, source_id, outcome, reason, target_table)"
                 " values ('airtable', 'votes', 'recVGhost', 'quarantined', 'voter not found', 'podium.votes') returning 1")
    failed = by_rule(run_phase(db_url, "reconcile", run_id, app="podium"))
    phantom = failed[("podium", "classification -> raw", "every classified record was landed")]
    assert phantom.examples == ["airtable.votes:recVGhost: classified but never landed"]

# --- reconcile: Hello Miami row-level comparison ----------------------------------------------

def test_hello_miami_row_comparison_names_source_key_and_field(db_url):
    run_id = _sources(db_url)
    rows(db_url, "update hello_miami_next.profiles set bio = 'Builds boats' returning 1")
    rows(db_url, "update hello_miami_next.projects set title = 'Boat' returning 1")
    failed = by_rule(run_phase(db_url, "reconcile", run_id, app="hello_miami"))
    assert set(failed) == {("hello_miami", "hello_miami_next.profiles", ROW_HASH), ("hello_miami", "hello_miami_next.projects", ROW_HASH)}
    profile = failed[("hello_miami", "hello_miami_next.profiles", ROW_HASH)]
    assert profile.failed_count == 1 and profile.examples == [f"{oid(1)}.bio: candidate value differs from the source"]
    assert profile.message == f"hello_miami_next.profiles: {ROW_HASH}: 1 failing (e.g. {oid(1)}.bio: candidate value differs from the source)"
    project = failed[("hello_miami", "hello_miami_next.projects", ROW_HASH)]
    assert project.failed_count == 1 and project.examples == [f"{oid(10)}.title: candidate value differs from the source"]
    assert "Boat" not in project.message and "Robot" not in project.message  # keys and fields, never values


# --- reconcile warnings: MongoDB/Luma conflicts, Podium reverse-link asymmetry -------------------

def test_conflicts_and_reverse_link_asymmetry_warn_without_failing_an_error_gate(db_url):
    run_id = _sources(db_url, asymmetric=True, luma_name="Demo night (new)")
    outcomes = run_phase(db_url, "reconcile", run_id)
    assert failures(outcomes) == []  # nothing blocks
    warned = by_rule(outcomes, "warning")
    assert set(warned) == {("hello_miami", "migration.conflicts", CONFLICTS), ("podium", "migration.conflicts", REVERSE)}
    conflict = warned[("hello_miami", "migration.conflicts", CONFLICTS)]
    assert conflict.failed_count == 1 and conflict.examples == ["evt-1.name: events mongo_luma"]
    assert conflict.message == f"migration.conflicts: {CONFLICTS}: 1 failing (e.g. evt-1.name: events mongo_luma)"
    reverse = warned[("podium", "migration.conflicts", REVERSE)]
    assert reverse.failed_count == 1 and reverse.examples == ["recE1:recU2.attendees: events.attendees reverse_link"]
    # Luma's value was stored and events.attendees (the truth) migrated both attendees
    assert rows(db_url, "select name from hello_miami_next.events") == [("Demo night (new)",)]
    assert rows(db_url, "select count(*) from podium_next.event_attendees") == [(2,)]


# --- land warnings: a mapped field present in no MongoDB / Luma record --------------------------

def test_land_warns_on_a_mapped_field_in_no_mongo_or_luma_record(db_url):
    mongo(db_url, "profiles", [doc(1, **{f: "x" for f in mapped_fields("mongo")["profiles"]}), doc(2, lumaEmail="b@x.io")])
    luma_events(db_url, [{"api_id": "evt-1", **{f: "x" for f in mapped_fields("luma")["events"]}}])
    # one guest flat, one wrapped: a field is found in either shape
    luma_guests(db_url, "evt-1", [{"api_id": "g1", **{f: "x" for f in mapped_fields("luma")["guests"] if f != "registered_at"}},
                                  {"api_id": "g2", "guest": {"api_id": "g2", "registered_at": "2024-02-01T00:00:00Z"}}])
    clean = run_phase(db_url, "land", app="hello_miami")
    assert [o.message for o in clean if not o.passed] == []
    fields_gates = {o.gate.table: o.gate.severity for o in clean if o.gate.rule == FIELDS_IN_RECORDS}
    # every raw table has the rule (an empty one passes: no records, nothing to judge); never an error
    assert {"raw_mongo.profiles", "raw_luma.events", "raw_luma.guests"} <= set(fields_gates)
    assert set(fields_gates.values()) == {"warning"}

    rows(db_url, "update raw_mongo.profiles set document = document - 'bio' returning 1")
    rows(db_url, "update raw_luma.guests set record = record #- '{guest,registered_at}' returning 1")
    outcomes = run_phase(db_url, "land", app="hello_miami")
    assert failures(outcomes) == []  # a warning, not an error
    warned = by_rule(outcomes, "warning")
    assert set(warned) == {("hello_miami", "raw_mongo.profiles", FIELDS_IN_RECORDS), ("hello_miami", "raw_luma.guests", FIELDS_IN_RECORDS)}
    profiles = warned[("hello_miami", "raw_mongo.profiles", FIELDS_IN_RECORDS)]
    assert profiles.failed_count == 1 and profiles.examples == ["profiles.bio: read by the mapping, present in no record"]
    assert profiles.message.startswith(f"raw_mongo.profiles: {FIELDS_IN_RECORDS}: 1 failing")
    guests = warned[("hello_miami", "raw_luma.guests", FIELDS_IN_RECORDS)]
    assert guests.failed_count == 1 and guests.examples == ["guests.registered_at: read by the mapping, present in no record"]


def test_land_warns_when_no_luma_guest_has_an_email(db_url):
    """The models read seven guest fields besides the key (the gate checked two before the registry)."""
    guest = {f: "x" for f in mapped_fields("luma")["guests"]}
    luma_guests(db_url, "evt-1", [{"api_id": "g1", **guest}, {"api_id": "g2", "guest": {"api_id": "g2", **guest}}])
    assert [o.message for o in run_phase(db_url, "land", app="hello_miami") if not o.passed] == []

    rows(db_url, "update raw_luma.guests set record = (record - 'email') #- '{guest,email}' returning 1")
    outcomes = run_phase(db_url, "land", app="hello_miami")
    assert failures(outcomes) == []
    guests = by_rule(outcomes, "warning")[("hello_miami", "raw_luma.guests", FIELDS_IN_RECORDS)]
    assert guests.examples == ["guests.email: read by the mapping, present in no record"]

"""The reconcile gate (GX, real PostgreSQL) after a real transform run: count identity, key-level
anti-joins raw <-> classification <-> candidate, quarantine ceiling, row-level comparison."""

from __future__ import annotations

from tests.gate_helpers import failures, run_phase
from tests.model_fixtures import airtable, rows, run_transform
from tests.spec_catalog import filled


def rec(rid, created, **fields):
    return {"id": rid, "createdTime": f"2024-01-{created:02d}T00:00:00.000Z", "fields": fields}


def _base(url) -> str:
    airtable(url, "users", [
        rec("recU1", 1, email="ada@example.com", first_name="Ada", city="London", dob="1990-02-03"),
        rec("recU2", 2, email="bob@example.com", first_name="Bob", dob="not a date"),
        rec("recU3", 3, email=" ADA@example.com", first_name="A"),  # merged into recU1
        rec("recU4", 4, first_name="No email"),  # quarantined
    ])
    airtable(url, "events", [rec("recE1", 1, name="E", slug="e", join_code="E", owner=["recU3"], attendees=["recU1", "recU2"])])
    return run_transform(url)


def _failed(outcomes):
    return {(o.gate.table, o.gate.rule): o for o in failures(outcomes)}


def test_reconcile_gate_passes_on_a_clean_run_and_fails_on_a_dropped_record(db_url):
    run_id = _base(db_url)
    clean = run_phase(db_url, "reconcile", run_id, app="podium")
    assert _failed(clean) == {}
    assert any(o.gate.rule == "migrated values match the source (row hash)" and o.gate.table == "podium_next.users" for o in clean)

    # a migrated user silently dropped between raw and candidate (no row refers to recU2)
    rows(db_url, "delete from podium_next.event_attendees where user_id = (select id from podium_next.users where airtable_id = 'recU2') returning 1")
    rows(db_url, "delete from podium_next.users where airtable_id = 'recU2' returning 1")
    failed = _failed(run_phase(db_url, "reconcile", run_id, app="podium"))
    dropped = failed[("podium_next.users", "every migrated record has its candidate row")]
    assert "airtable.users:recU2" in dropped.message


def test_row_comparison_names_key_and_field_of_a_changed_value(db_url):
    run_id = _base(db_url)
    rows(db_url, "update podium_next.users set city = 'Paris' where airtable_id = 'recU1' returning 1")
    rows(db_url, "update podium_next.events set owner_id = (select id from podium_next.users where airtable_id = 'recU2') returning 1")
    failed = _failed(run_phase(db_url, "reconcile", run_id, app="podium"))
    users = failed[("podium_next.users", "migrated values match the source (row hash)")]
    assert users.failed_count == 1 and users.examples[0].startswith("recU1.city")
    # the owner link of the event must follow recU3's merge into recU1, not point elsewhere
    events = failed[("podium_next.events", "migrated values match the source (row hash)")]
    assert events.examples[0].startswith("recE1.owner_id")
    # recU2's unparseable dob is a recorded value fix, so it is not a mismatch
    assert not any(e.startswith("recU2") for e in users.examples)


def test_row_comparison_takes_a_recorded_fix_of_a_compared_field_and_ignores_one_of_another(db_url):
    """A fix recorded for a compared field replaces the raw value (the candidate holds the stored
    value, so no mismatch); a fix of a field the comparison does not read adds nothing to compare."""
    run_id = _base(db_url)
    rows(db_url, "update podium_next.users set city = 'Lisbon' where airtable_id = 'recU1' returning 1")
    rows(db_url, "insert into migration.value_fixes (run_id, source, source_table, source_id, field, original_value,"
                 " stored_value, reason) values (%s, 'airtable', 'users', 'recU1', 'city', 'London', 'Lisbon', 'test'),"
                 " (%s, 'airtable', 'users', 'recU1', 'not_compared', 'x', 'y', 'test') returning 1", (run_id, run_id))
    assert ("podium_next.users", "migrated values match the source (row hash)") not in _failed(run_phase(db_url, "reconcile", run_id, app="podium"))
    # the same fix recorded for another run does not count
    rows(db_url, "update migration.value_fixes set run_id = 'another run' where source_id = 'recU1' returning 1")
    users = _failed(run_phase(db_url, "reconcile", run_id, app="podium"))[("podium_next.users", "migrated values match the source (row hash)")]
    assert [e.split(":")[0] for e in users.examples] == ["recU1.city"], users.examples


def test_identity_antijoin_and_ceiling(db_url, monkeypatch):
    run_id = _base(db_url)
    # a raw record nobody classified, and a ledger that no longer balances
    airtable(db_url, "users", [rec("recLate", 9, email="late@example.com")])
    rows(db_url, "update migration.count_ledger set source_count = source_count + 1 where run_id = %s and source_table = 'users' returning 1", (run_id,))
    monkeypatch.setenv("CUTOVER_QUARANTINE_CEILING", "0.1")  # 1 of 4 users quarantined = 25%
    failed = _failed(run_phase(db_url, "reconcile", run_id, app="podium"))
    assert "airtable.users:recLate" in failed[("raw -> classification", "every landed record is migrated, merged or quarantined")].message
    identity = failed[("migration.count_ledger", "source = migrated + merged + quarantined")]
    assert "airtable.users" in identity.message
    ceiling = failed[("migration.count_ledger", "quarantine under its ceiling")]
    assert "airtable.users" in ceiling.message and "ceiling 10%" in ceiling.message

    monkeypatch.setenv("CUTOVER_QUARANTINE_CEILING", "0.0005")  # a ceiling finer than one decimal is printed as set
    failed = _failed(run_phase(db_url, "reconcile", run_id, app="podium"))
    assert "ceiling 0.05%" in failed[("migration.count_ledger", "quarantine under its ceiling")].message

    monkeypatch.setenv("CUTOVER_QUARANTINE_CEILINGS", "airtable.users=0.5")
    failed = _failed(run_phase(db_url, "reconcile", run_id, app="podium"))
    assert ("migration.count_ledger", "quarantine under its ceiling") not in failed


def test_candidate_row_without_source_fails(db_url):
    run_id = _base(db_url)
    rows(db_url, filled("insert into podium_next.users (id, email, first_name) values (gen_random_uuid(), 'ghost@example.com', '') returning 1"))
    failed = _failed(run_phase(db_url, "reconcile", run_id, app="podium"))
    orphan = failed[("podium_next.users", "every candidate row has a source record")]
    assert orphan.failed_count == 1 and "ghost" not in orphan.message


def test_a_member_badge_missing_from_the_candidate_fails_by_key(db_url):
    """member_badges has no id column: its anti-join goes through its natural key (the registry)."""
    from tests.model_fixtures import mongo, oid

    def doc(n, **fields):
        return {"_id": {"$oid": oid(n)}, **fields}

    mongo(db_url, "profiles", [doc(1, lumaEmail="a@x.io"), doc(2, lumaEmail="b@x.io")])
    mongo(db_url, "badges", [doc(5, name="B", iconAscii="*", criteria="c")])
    mongo(db_url, "member_badges", [doc(10, memberId={"$oid": oid(1)}, badgeId={"$oid": oid(5)}),
                                    doc(11, memberId={"$oid": oid(2)}, badgeId={"$oid": oid(5)})])
    run_id = run_transform(db_url)
    assert [k for k in _failed(run_phase(db_url, "reconcile", run_id, app="hello_miami")) if k[0].endswith("member_badges")] == []

    rows(db_url, "delete from hello_miami_next.member_badges where member_id = (select id from hello_miami_next.profiles"
                 " where luma_email = 'b@x.io') returning 1")
    failed = _failed(run_phase(db_url, "reconcile", run_id, app="hello_miami"))
    dropped = failed[("hello_miami_next.member_badges", "every migrated record has its candidate row")]
    assert dropped.failed_count == 1 and f"mongo.member_badges:{oid(11)}" in dropped.message


def test_a_live_row_the_candidates_lack_fails_the_live_hop_naming_it(db_url):
    """SPEC §4: live before = kept + merged. The dry-run lands the live tables (raw_live_<app>);
    the models keep every live profile (a live-only one with its id), so the gate passes; a live
    profile whose id the candidates lack (here deleted from them) fails the blocking gate, by id."""
    from tests.model_fixtures import mongo, oid

    mongo(db_url, "profiles", [{"_id": {"$oid": oid(1)}, "lumaEmail": "a@x.io"}])
    run_id = run_transform(db_url)
    kept = rows(db_url, "select id from hello_miami_next.profiles")[0][0]
    rows(db_url, "insert into hello_miami.profiles (id, luma_email) values (%s, 'a@x.io'), "
                 "('00000000-0000-4000-8000-00000000000a', 'signed-in@x.io') returning 1", (kept,))
    run_id = run_transform(db_url)  # the dry-run again: it lands both live rows
    assert rows(db_url, "select count(*) from raw_live_hello_miami.profiles") == [(2,)]
    assert [k for k in _failed(run_phase(db_url, "reconcile", run_id, app="hello_miami")) if k[1] == "every row already live is kept"] == []
    rows(db_url, "delete from hello_miami_next.profiles where id = '00000000-0000-4000-8000-00000000000a' returning 1")
    failed = _failed(run_phase(db_url, "reconcile", run_id, app="hello_miami"))
    lost = failed[("hello_miami.profiles", "every row already live is kept")]
    assert lost.failed_count == 1 and "00000000-0000-4000-8000-00000000000a" in lost.message
    assert [k for k in failed if k[1] == "every row already live is kept"] == [("hello_miami.profiles", "every row already live is kept")]

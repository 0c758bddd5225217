"""The transform gate (GX, real PostgreSQL) on the candidate tables: keys, foreign keys, required
columns, enum-like values. The candidates are built with the live DDL's constraints, so each
defect is crafted by dropping the constraint that would have refused it."""

from __future__ import annotations

import uuid

from tests.gate_helpers import failures, run_phase
from pipelines.database import connect
from tests.model_fixtures import rows
from tests.spec_catalog import filled


def execute(url, sql):
    with connect(url, autocommit=True) as conn:
        conn.execute(sql)


def _ids(n):
    return [str(uuid.uuid4()) for _ in range(n)]


def _podium(url):
    u1, u2, e1 = _ids(3)
    rows(url, filled("insert into podium_next.users (id, airtable_id, email, first_name) values (%s, 'recU1', 'a@x.io', 'A'), (%s, 'recU2', 'b@x.io', '') returning 1"), (u1, u2))
    rows(url, filled("insert into podium_next.events (id, airtable_id, name, slug, join_code, owner_id) values (%s, 'recE1', 'E', 'e', 'E', %s) returning 1"), (e1, u1))
    return u1, u2, e1


def _failed(outcomes, table):
    return {o.gate.rule: o for o in failures(outcomes) if o.gate.table == table}


def test_transform_gate_passes_on_clean_candidates(db_url):
    _podium(db_url)
    outcomes = run_phase(db_url, "transform", app="podium")
    assert failures(outcomes) == []
    rules = {(o.gate.table, o.gate.rule) for o in outcomes}
    assert ("podium_next.events", "foreign key (owner_id) -> users") in rules
    assert ("podium_next.users", "unique (email)") in rules
    assert ("podium_next.votes", "unique (voter_id, project_id)") in rules


def test_transform_gate_fails_on_dangling_foreign_key(db_url):
    _podium(db_url)
    execute(db_url, "alter table podium_next.events drop constraint events_owner_id_fkey")
    rows(db_url, "update podium_next.events set owner_id = %s returning 1", (str(uuid.uuid4()),))
    failed = _failed(run_phase(db_url, "transform", app="podium"), "podium_next.events")
    assert list(failed) == ["foreign key (owner_id) -> users"]
    assert "podium_next.events: foreign key (owner_id) -> users: 1 failing" in failed["foreign key (owner_id) -> users"].message


def test_transform_gate_fails_on_duplicate_unique_key_without_showing_the_email(db_url):
    _podium(db_url)
    execute(db_url, "drop index podium_next.ix_users_email")  # Podium keeps it unique with an index
    rows(db_url, "update podium_next.users set email = 'a@x.io' returning 1")
    failed = _failed(run_phase(db_url, "transform", app="podium"), "podium_next.users")
    assert "unique (email)" in failed
    assert "a@x.io" not in failed["unique (email)"].message and "2 rows share one (email)" in failed["unique (email)"].message


def test_transform_gate_fails_on_empty_required_column(db_url):
    _podium(db_url)
    rows(db_url, "update podium_next.events set name = '' returning 1")
    failed = _failed(run_phase(db_url, "transform", app="podium"), "podium_next.events")
    assert "empty: name" in failed["required columns filled"].message


def test_transform_gate_fails_on_unknown_enum_value(db_url):
    pid = str(uuid.uuid4())
    rows(db_url, "insert into hello_miami_next.profiles (id, luma_email, verification_status) values (%s, 'a@x.io', 'vip') returning 1", (pid,))
    rows(db_url, "insert into hello_miami_next.attendance (id, member_id, luma_event_id, status) values (%s, %s, 'evt-1', 'maybe') returning 1", (str(uuid.uuid4()), pid))
    outcomes = run_phase(db_url, "transform", app="hello_miami")
    assert "verification_status = vip" in _failed(outcomes, "hello_miami_next.profiles")["verification_status in (pending, verified)"].message
    assert "status = maybe" in _failed(outcomes, "hello_miami_next.attendance")["status in (registered, checked-in)"].message

"""The target DDL behaves as the applications expect: defaults, cascades (Hello Miami), NO ACTION
foreign keys (Podium), unique keys, widths."""

from __future__ import annotations

import psycopg
import pytest

from pipelines.database import connect
from tests.spec_catalog import filled


def test_hello_miami_defaults_and_cascades(db_url):
    with connect(db_url) as conn:
        member = conn.execute("insert into hello_miami.profiles (luma_email) values ('a@b.c') returning id, skills, verification_status, created_at").fetchone()
        assert member[1] == [] and member[2] == "pending" and member[3] is not None  # id, '[]', 'pending', now()
        event = conn.execute(
            "insert into hello_miami.events (luma_event_id, name, url, start_at, timezone)"
            " values ('evt-1', 'E', 'https://lu.ma/e', '2026-01-01', 'UTC') returning id, stats, is_canceled"
        ).fetchone()
        assert event[1] == {"registered": 0, "checkedIn": 0} and event[2] is False
        conn.execute("insert into hello_miami.attendance (member_id, luma_event_id) values (%s, 'evt-unsynced')", (member[0],))
        conn.execute("insert into hello_miami.demo_slots (member_id, event_id, title) values (%s, %s, 'demo')", (member[0], event[0]))
        # every foreign key cascades: deleting the profile removes what hangs off it
        conn.execute("delete from hello_miami.profiles where id = %s", (member[0],))
        assert conn.execute("select (select count(*) from hello_miami.attendance) + (select count(*) from hello_miami.demo_slots)").fetchone()[0] == 0


def test_hello_miami_start_at_has_no_default(db_url):
    with connect(db_url) as conn, pytest.raises(psycopg.errors.NotNullViolation):
        conn.execute("insert into hello_miami.events (luma_event_id, name, url, timezone) values ('e', 'E', 'u', 'UTC')")


def test_podium_one_vote_per_voter_and_project(db_url):
    with connect(db_url) as conn:
        owner = conn.execute(filled("insert into podium.users (id, email, first_name) values (migration.stable_id('podium','users','u1'), 'o@x.y', 'O') returning id")).fetchone()[0]
        voter = conn.execute(filled("insert into podium.users (id, email, first_name) values (migration.stable_id('podium','users','u2'), 'v@x.y', 'V') returning id")).fetchone()[0]
        event = conn.execute(
            filled("insert into podium.events (id, name, slug, join_code, owner_id) values (migration.stable_id('podium','events','e1'), 'E', 'e', 'J1', %s) returning id"),
            (owner,),
        ).fetchone()[0]
        project = conn.execute(
            filled("insert into podium.projects (id, name, join_code, owner_id, event_id) values (migration.stable_id('podium','projects','p1'), 'P', 'J2', %s, %s) returning id"),
            (voter, event),
        ).fetchone()[0]
        conn.execute("insert into podium.votes (id, voter_id, project_id, event_id) values (gen_random_uuid(), %s, %s, %s)", (voter, project, event))
        with pytest.raises(psycopg.errors.UniqueViolation):  # one vote per (voter, project)
            conn.execute("insert into podium.votes (id, voter_id, project_id, event_id) values (gen_random_uuid(), %s, %s, %s)", (voter, project, event))
        conn.rollback()


def test_podium_foreign_keys_refuse_deleting_a_referenced_row(db_url):
    """Podium's foreign keys are NO ACTION (its md): the application deletes the rows hanging off a
    user or an event itself; the database only refuses to leave them dangling."""
    with connect(db_url) as conn:
        owner = conn.execute(filled("insert into podium.users (id, email, first_name) values (migration.stable_id('podium','users','u1'), 'o@x.y', 'O') returning id")).fetchone()[0]
        event = conn.execute(
            filled("insert into podium.events (id, name, slug, join_code, owner_id) values (migration.stable_id('podium','events','e1'), 'E', 'e', 'J1', %s) returning id"),
            (owner,),
        ).fetchone()[0]
        conn.execute("insert into podium.event_attendees (event_id, user_id) values (%s, %s)", (event, owner))
        for table, key in (("users", owner), ("events", event)):
            with pytest.raises(psycopg.errors.ForeignKeyViolation), conn.transaction():  # a savepoint
                conn.execute(f"delete from podium.{table} where id = %s", (key,))
        assert conn.execute("select count(*) from podium.event_attendees").fetchone()[0] == 1


def test_podium_varchar_widths_are_enforced(db_url):
    with connect(db_url) as conn, pytest.raises(psycopg.errors.StringDataRightTruncation):
        conn.execute(filled("insert into podium.users (id, email, first_name) values (gen_random_uuid(), 'a@b.c', %s)"), ("x" * 51,))

"""migration.stable_id: deterministic, a valid version-5 uuid, distinct across inputs, same as Python."""

from __future__ import annotations

import uuid

import psycopg
import pytest

from migrations.ddl.identity import stable_id
from pipelines.database import connect
from tests.spec_catalog import filled

UUID5 = r"^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$"


def test_pinned_value_is_the_same_in_every_run(db_url):
    # pinned: a change of the function would re-key every migrated row between runs
    with connect(db_url) as conn:
        got = conn.execute("select migration.stable_id('podium', 'users', 'rec123')").fetchone()[0]
    assert got == uuid.UUID("33432d5a-934c-5265-afac-76d7367e90c4")
    assert stable_id("podium", "users", "rec123") == got


def test_valid_distinct_and_deterministic_for_many_inputs(db_url):
    with connect(db_url) as conn:
        row = conn.execute(
            f"""
            with keys as (
                select app, tbl, 'rec' || n as key
                  from generate_series(1, 20000) n,
                       (values ('podium', 'users'), ('podium', 'events'), ('hello_miami', 'events')) t(app, tbl)
            ), ids as (
                select migration.stable_id(app, tbl, key) as a, migration.stable_id(app, tbl, key) as b from keys
            )
            select count(*), count(distinct a), bool_and(a = b), bool_and(a::text ~ '{UUID5}') from ids
            """
        ).fetchone()
    assert row == (60000, 60000, True, True)


def test_each_part_changes_the_id(db_url):
    with connect(db_url) as conn:
        ids = conn.execute(
            """
            select migration.stable_id('podium', 'users', 'x'), migration.stable_id('hello_miami', 'users', 'x'),
                   migration.stable_id('podium', 'events', 'x'), migration.stable_id('podium', 'users', 'X'),
                   migration.stable_id('podium', 'users', 'x ')
            """
        ).fetchone()
    assert len(set(ids)) == 5


def test_python_twin_agrees_including_unicode(db_url):
    keys = ["", "recABC", "5f2b6c1e9d3a4b0012345678", "José.Ñúñez@example.com", "evt-🎉", "a/b"]
    with connect(db_url) as conn:
        for key in keys:
            got = conn.execute("select migration.stable_id('hello_miami', 'profiles', %s)", (key,)).fetchone()[0]
            assert got == stable_id("hello_miami", "profiles", key), key
            assert got.version == 5 and got.variant == uuid.RFC_4122


def test_null_part_gives_null_and_function_is_immutable(db_url):
    with connect(db_url) as conn:
        assert conn.execute("select migration.stable_id('podium', 'users', null)").fetchone()[0] is None
        volatility = conn.execute(
            "select provolatile from pg_proc p join pg_namespace n on n.oid = p.pronamespace"
            " where n.nspname = 'migration' and p.proname = 'stable_id'"
        ).fetchone()[0]
        assert volatility == "i"
        # immutable means it can back an index expression
        conn.execute("create index on migration.quarantine (migration.stable_id(source, source_table, source_id))")


def test_null_id_cannot_enter_a_target_table(db_url):
    with connect(db_url) as conn, pytest.raises(psycopg.errors.NotNullViolation):
        conn.execute(filled("insert into podium.users (id, email, first_name) values (migration.stable_id('podium', 'users', null), 'a@b.c', 'A')"))


def test_the_plpgsql_body_gives_the_ids_of_the_sql_body_it_replaced(db_url):
    """Alembic 0016 swapped the body for speed: the ids are a contract, so both bodies and the Python
    twin must agree on every key, across all 16 values of the nibble the variant is stamped into."""
    import hashlib
    import importlib

    previous = importlib.import_module("migrations.versions.0016_stable_id_plpgsql").PREVIOUS_BODY
    keys = [f"rec{n}" for n in range(3000)] + ["", "José.Ñúñez@example.com", "evt-🎉", "a/b", "x" * 500]
    nibbles = {hashlib.sha256(f"podium/users/{key}".encode()).digest()[8] >> 4 for key in keys}
    assert nibbles == set(range(16))
    query = "select key, migration.stable_id('podium', 'users', key) from unnest(%s::text[]) key"
    with connect(db_url) as conn:
        assert conn.execute(
            "select l.lanname from pg_proc p join pg_language l on l.oid = p.prolang where p.oid = 'migration.stable_id'::regproc"
        ).fetchone()[0] == "plpgsql"  # the speed of the transform depends on it (README "Measured")
        now = dict(conn.execute(query, (keys,)).fetchall())
        conn.execute(previous)
        before = dict(conn.execute(query, (keys,)).fetchall())
        conn.rollback()
    assert now == before
    assert now == {key: stable_id("podium", "users", key) for key in keys}

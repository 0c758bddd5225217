"""Alembic: upgrade head -> downgrade base -> upgrade head on a real server, and each step down."""

from __future__ import annotations

import migrations
from migrations.ddl import catalog
from pipelines.database import connect, engine
from tests.spec_catalog import EXPECTED

OURS = ("podium", "hello_miami", "podium_next", "hello_miami_next", "migration",
        "raw_airtable", "raw_mongo", "raw_luma", "staging", "intermediate")


def _schemas(url) -> set[str]:
    with connect(url) as conn:
        rows = conn.execute("select nspname from pg_namespace where nspname !~ '^pg_' and nspname <> 'information_schema'").fetchall()
    return {r[0] for r in rows}


def _head(url) -> str | None:
    with connect(url) as conn:
        row = conn.execute("select version_num from public.cutover_alembic_version").fetchone()
    return row[0] if row else None


def _assert_spec(url) -> None:
    with connect(url) as conn:
        for app in EXPECTED:
            for schema in (app, f"{app}_next"):
                assert catalog.differences(EXPECTED[app], catalog.describe(conn, schema), schema) == []
        assert conn.execute("select migration.stable_id('podium', 'users', 'rec1') is not null").fetchone()[0]


def test_upgrade_downgrade_upgrade_round_trip(empty_db_url):
    migrations.upgrade(empty_db_url)
    assert set(OURS) <= _schemas(empty_db_url)
    _assert_spec(empty_db_url)
    with connect(empty_db_url) as conn:  # data in every layer must not block the downgrade
        conn.execute("create table raw_airtable.users (id text)")
        conn.execute("insert into podium.users (id, email, first_name) values (migration.stable_id('podium','users','r'), 'x@y.z', 'X')")
        conn.execute("insert into migration.runs (run_id, job) values ('r1', 'dry_run')")
        conn.commit()

    migrations.downgrade(empty_db_url, "base")
    engine(empty_db_url).dispose()
    assert _schemas(empty_db_url) == {"public"}
    assert _head(empty_db_url) is None
    with connect(empty_db_url) as conn:
        assert conn.execute("select count(*) from pg_proc where proname = 'stable_id'").fetchone()[0] == 0
        tables = conn.execute("select tablename from pg_tables where schemaname = 'public'").fetchall()
        assert tables == [("cutover_alembic_version",)]

    migrations.upgrade(empty_db_url)
    engine(empty_db_url).dispose()
    _assert_spec(empty_db_url)
    with connect(empty_db_url) as conn:
        assert conn.execute("select count(*) from podium.users").fetchone()[0] == 0


def test_every_revision_steps_down_and_up(empty_db_url):
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(migrations._config(empty_db_url))
    revisions = [r.revision for r in script.walk_revisions("base", "heads")]  # newest first
    assert len(script.get_heads()) == 1, "Alembic has more than one head"
    migrations.upgrade(empty_db_url)
    for rev, below in zip(revisions, revisions[1:] + ["base"]):
        assert _head(empty_db_url) == rev
        migrations.downgrade(empty_db_url, "-1")
        assert _head(empty_db_url) == (None if below == "base" else below)
        migrations.upgrade(empty_db_url, rev)  # each step is repeatable after its own downgrade
        migrations.downgrade(empty_db_url, "-1")
    engine(empty_db_url).dispose()
    assert _schemas(empty_db_url) == {"public"}


def test_cutover_leftovers_do_not_block_downgrade(empty_db_url):
    migrations.upgrade(empty_db_url)
    with connect(empty_db_url) as conn:  # what a cutover leaves: a _prev schema for rollback
        conn.execute("create schema podium_prev")
        conn.execute("create table podium_prev.users (id uuid)")
        conn.commit()
    migrations.downgrade(empty_db_url, "base")
    engine(empty_db_url).dispose()
    assert _schemas(empty_db_url) == {"public"}


def test_shares_a_database_with_dagsters_own_alembic(empty_db_url):
    # dagster-postgres keeps its revision in public.alembic_version; with DATABASE_URL set the
    # Dagster instance lives in the same database, so ours must not read or write that table
    with connect(empty_db_url) as conn:
        conn.execute("create table public.alembic_version (version_num varchar(32) primary key)")
        conn.execute("insert into public.alembic_version values ('6b7fb194ff9c')")
        conn.commit()
    migrations.upgrade(empty_db_url)
    migrations.downgrade(empty_db_url, "base")
    migrations.upgrade(empty_db_url)
    engine(empty_db_url).dispose()
    with connect(empty_db_url) as conn:
        assert conn.execute("select version_num from public.alembic_version").fetchall() == [("6b7fb194ff9c",)]
    assert _head(empty_db_url) is not None


def test_0008_splits_a_cutover_of_both_applications_into_one_per_application(empty_db_url):
    migrations.upgrade(empty_db_url, "0006")
    with connect(empty_db_url) as conn:  # a cutover of the schema-swap era: both applications at once
        conn.execute("""insert into migration.cutovers (run_id, applied_at, operator, counts, status)
                        values ('dry-1', '2026-11-20 12:00+00', 'op', '{"podium.users": 2, "hello_miami.profiles": 3}', 'applied')""")
    migrations.upgrade(empty_db_url, "0008")
    with connect(empty_db_url) as conn:
        rows = conn.execute("select cutover_id, app, run_id, status, counts from migration.cutovers order by cutover_id").fetchall()
    assert rows == [(1, "podium", "dry-1", "applied", {"podium.users": 2}), (2, "hello_miami", "dry-1", "applied", {"hello_miami.profiles": 3})]
    migrations.downgrade(empty_db_url, "0006")
    with connect(empty_db_url) as conn:
        assert conn.execute("select cutover_id, run_id from migration.cutovers").fetchall() == [(1, "dry-1")]
    engine(empty_db_url).dispose()

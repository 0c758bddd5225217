"""Alembic: upgrade head -> downgrade base -> upgrade head on a real server, and each step down; the
applications' tables: created exactly (migrations/targets/*.md) in an empty schema, used as they
are otherwise, never dropped by a downgrade."""

from __future__ import annotations

import migrations
import pytest

from migrations.ddl import catalog, spec
from pipelines.database import connect, engine
from tests.spec_catalog import CANDIDATE, EXPECTED

USER_COLUMNS = "id, email, display_name, first_name, last_name, phone, street_1, street_2, city, state, zip_code, country"
USER_VALUES = "gen_random_uuid(), 'x@y.z', '', 'X', '', '', '', '', '', '', '', ''"

OURS = ("podium_next", "hello_miami_next", "migration", "raw_airtable", "raw_mongo", "raw_luma", "staging", "intermediate")
APPLICATIONS = {"podium", "hello_miami"}  # the applications' schemas: a downgrade leaves them


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
            assert catalog.differences(EXPECTED[app], catalog.describe(conn, app), app) == []
            assert catalog.differences(CANDIDATE[app], catalog.describe(conn, f"{app}_next"), f"{app}_next") == []
        assert conn.execute("select migration.stable_id('podium', 'users', 'rec1') is not null").fetchone()[0]


def test_upgrade_downgrade_upgrade_round_trip(empty_db_url):
    migrations.upgrade(empty_db_url)
    assert set(OURS) | APPLICATIONS <= _schemas(empty_db_url)
    _assert_spec(empty_db_url)
    with connect(empty_db_url) as conn:  # data in every layer must not block the downgrade
        conn.execute("create table raw_airtable.users (id text)")
        conn.execute(f"insert into podium.users ({USER_COLUMNS}) values ({USER_VALUES})")
        conn.execute("insert into migration.runs (run_id, job) values ('r1', 'dry_run')")
        conn.commit()

    migrations.downgrade(empty_db_url, "base")
    engine(empty_db_url).dispose()
    assert _schemas(empty_db_url) == {"public"} | APPLICATIONS
    assert _head(empty_db_url) is None
    with connect(empty_db_url) as conn:
        assert conn.execute("select count(*) from pg_proc where proname = 'stable_id'").fetchone()[0] == 0
        tables = conn.execute("select tablename from pg_tables where schemaname = 'public'").fetchall()
        assert tables == [("cutover_alembic_version",)]
        # the application's tables, its row and its version row are its own: the downgrade left them
        assert conn.execute("select count(*) from podium.users").fetchone()[0] == 1
        assert conn.execute("select version_num from podium.alembic_version").fetchall() == [("e10bb6a39187",)]

    migrations.upgrade(empty_db_url)
    engine(empty_db_url).dispose()
    _assert_spec(empty_db_url)
    with connect(empty_db_url) as conn:
        assert conn.execute("select count(*) from podium.users").fetchone()[0] == 1


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
    assert _schemas(empty_db_url) == {"public"} | APPLICATIONS


def test_cutover_leftovers_do_not_block_downgrade(empty_db_url):
    migrations.upgrade(empty_db_url)
    with connect(empty_db_url) as conn:  # what a cutover leaves: a _prev schema for rollback
        conn.execute("create schema podium_prev")
        conn.execute("create table podium_prev.users (id uuid)")
        conn.commit()
    migrations.downgrade(empty_db_url, "base")
    engine(empty_db_url).dispose()
    assert _schemas(empty_db_url) == {"public"} | APPLICATIONS


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


def _alembic_only(url: str, revision: str) -> None:
    """Our revisions without the targets' step, as a database upgraded before revision 0007 was."""
    from alembic import command

    command.upgrade(migrations._config(url), revision)


def test_a_complete_application_schema_is_used_as_it_is(empty_db_url):
    with connect(empty_db_url) as conn:  # the application's own migrations ran first, and it added to them
        from migrations.ddl import create_app_schema

        create_app_schema(conn, "hello_miami", "hello_miami")
        conn.execute("alter table hello_miami.profiles add column pronouns text")
        conn.execute("create index profiles_pronouns_idx on hello_miami.profiles (pronouns)")
        conn.execute("insert into hello_miami.badges (name, icon_ascii, criteria) values ('b', '*', 'c')")
        conn.commit()
        before = catalog.describe(conn, "hello_miami")
        oid = conn.execute("select 'hello_miami.profiles'::regclass::oid").fetchone()[0]
    migrations.upgrade(empty_db_url)
    engine(empty_db_url).dispose()
    with connect(empty_db_url) as conn:
        assert catalog.describe(conn, "hello_miami") == before
        assert conn.execute("select 'hello_miami.profiles'::regclass::oid").fetchone()[0] == oid
        assert conn.execute("select count(*) from hello_miami.badges").fetchone()[0] == 1
        # and the candidate is its clone, the application's additions included
        assert catalog.compare_schemas(conn, "hello_miami", "hello_miami_next", list(CANDIDATE["hello_miami"])) == []
        assert catalog.differences(EXPECTED["podium"], catalog.describe(conn, "podium"), "podium") == []


def test_a_schema_with_only_some_tables_is_one_sentence(empty_db_url):
    from pipelines.errors import CutoverError

    with connect(empty_db_url) as conn:
        conn.execute("create schema podium")
        conn.execute("create table podium.users (id uuid primary key)")
        conn.execute("create table podium.votes (id uuid primary key)")
        conn.commit()
    with pytest.raises(CutoverError) as raised:
        migrations.upgrade(empty_db_url)
    engine(empty_db_url).dispose()
    assert str(raised.value).startswith(
        "schema podium (PODIUM_SCHEMA) holds only some of podium's tables: event_attendees, events, "
        "project_collaborators, projects, referrals missing;")
    with connect(empty_db_url) as conn:  # nothing was added to it
        assert conn.execute("select count(*) from pg_tables where schemaname = 'podium'").fetchone()[0] == 2


def test_podium_in_the_public_schema(empty_db_url, monkeypatch):
    monkeypatch.setenv("PODIUM_SCHEMA", "public")
    migrations.upgrade(empty_db_url)
    engine(empty_db_url).dispose()
    with connect(empty_db_url) as conn:
        assert catalog.differences(EXPECTED["podium"], {t: d for t, d in catalog.describe(conn, "public").items()
                                                        if t != "cutover_alembic_version"}, "public") == []
        assert conn.execute("select version_num from public.alembic_version").fetchall() == [("e10bb6a39187",)]
        assert catalog.compare_schemas(conn, "public", "podium_next", list(CANDIDATE["podium"])) == []
        assert conn.execute("select to_regclass('podium.users')").fetchone()[0] is None
    migrations.downgrade(empty_db_url, "base")
    engine(empty_db_url).dispose()
    with connect(empty_db_url) as conn:
        assert conn.execute("select count(*) from public.alembic_version").fetchone()[0] == 1


def test_revision_0007_replaces_our_old_empty_tables_and_leaves_tables_with_rows(empty_db_url):
    _alembic_only(empty_db_url, "0006")
    with connect(empty_db_url) as conn:
        from migrations.ddl import create_app_schema

        # Podium as our old DDL had it, empty: a constraint where the application has an index
        create_app_schema(conn, "podium", "podium")
        conn.execute("drop table podium.alembic_version")
        conn.execute("drop index podium.ix_events_airtable_id")
        conn.execute("alter table podium.events add constraint events_airtable_id_key unique (airtable_id)")
        # Hello Miami without its migration 0001's columns, holding a row: not ours to drop
        create_app_schema(conn, "hello_miami", "hello_miami")
        conn.execute("alter table hello_miami.profiles drop column linkedin_url")
        conn.execute("insert into hello_miami.badges (name, icon_ascii, criteria) values ('b', '*', 'c')")
        conn.commit()
    migrations.upgrade(empty_db_url)
    engine(empty_db_url).dispose()
    with connect(empty_db_url) as conn:
        assert catalog.differences(EXPECTED["podium"], catalog.describe(conn, "podium"), "podium") == []
        assert conn.execute("select version_num from podium.alembic_version").fetchall() == [("e10bb6a39187",)]
        assert catalog.differences(EXPECTED["hello_miami"], catalog.describe(conn, "hello_miami"), "hello_miami") == [
            "hello_miami.profiles.linkedin_url: column missing"]
        assert conn.execute("select count(*) from hello_miami.badges").fetchone()[0] == 1


def test_the_target_files_are_the_specs_own(request):
    """migrations/targets/*.md are verbatim copies of ../shared/targets/*.md (SPEC §3) where that
    directory exists beside the repository (a CI clone elsewhere has none)."""
    from pathlib import Path

    shared = Path(request.config.rootpath).parent / "shared" / "targets"
    if not shared.is_dir():
        pytest.skip(f"{shared} does not exist here")
    ours = sorted(p.name for p in spec.TARGETS_DIR.glob("*.md"))
    assert ours == sorted(p.name for p in shared.glob("*.md")) == ["hello_miami.md", "podium.md"]
    for name in ours:
        assert (spec.TARGETS_DIR / name).read_text() == (shared / name).read_text(), name

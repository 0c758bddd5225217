"""The migrated catalog is SPEC §3, exactly: live schemas and their candidates, column by column."""

from __future__ import annotations

import pytest

from migrations.ddl import catalog, reset_candidate_schemas
from pipelines.database import connect
from tests.spec_catalog import EXPECTED, MIGRATION_COLUMNS, MIGRATION_PRIMARY_KEYS


@pytest.mark.parametrize("schema", ["podium", "hello_miami", "podium_next", "hello_miami_next"])
def test_schema_matches_spec(db_url, schema):
    app = schema.removesuffix("_next")
    with connect(db_url) as conn:
        actual = catalog.describe(conn, schema)
    assert catalog.differences(EXPECTED[app], actual, schema) == []
    # the comparison looked at every table and column, not an empty description
    assert sorted(actual) == sorted(EXPECTED[app])
    assert sum(len(t["columns"]) for t in actual.values()) == sum(len(t["columns"]) for t in EXPECTED[app].values())


def test_candidates_equal_live_and_are_empty(db_url):
    with connect(db_url) as conn:
        for app in EXPECTED:
            assert catalog.compare_schemas(conn, app, f"{app}_next") == []
            for table in EXPECTED[app]:
                assert conn.execute(f'select count(*) from {app}_next."{table}"').fetchone()[0] == 0


DRIFTS = [
    # (statement, a phrase the report must contain)
    ("alter table podium.users alter column email type varchar(300)",
     "podium.users.email: type is 'character varying(300)', expected 'character varying(255)'"),
    ("alter table podium.users alter column first_name drop not null",
     "podium.users.first_name: not null is False, expected True"),
    ("alter table hello_miami.events alter column stats set default '{}'::jsonb",
     "hello_miami.events.stats: default is \"'{}'::jsonb\""),
    ("alter table hello_miami.profiles alter column created_at type timestamptz",
     "hello_miami.profiles.created_at: type is 'timestamp with time zone'"),
    ("alter table hello_miami.attendance add column note text", "hello_miami.attendance.note: unexpected column"),
    ("alter table podium.referrals drop column content", "podium.referrals.content: column missing"),
    ("drop index hello_miami.projects_tags_gin_idx", "indexes projects_tags_gin_idx missing"),
    ("drop index hello_miami.demo_slots_pending_idx; create index demo_slots_pending_idx on hello_miami.demo_slots (event_id, created_at)",
     "indexes demo_slots_pending_idx is CREATE INDEX demo_slots_pending_idx ON demo_slots USING btree (event_id, created_at), expected"),
    ("alter table podium.votes drop constraint votes_voter_id_project_id_key", "unique votes_voter_id_project_id_key missing"),
    ("alter table hello_miami.demo_slots drop constraint demo_slots_event_id_fkey;"
     " alter table hello_miami.demo_slots add constraint demo_slots_event_id_fkey foreign key (event_id) references hello_miami.events (id)",
     "foreign_keys demo_slots_event_id_fkey is (('event_id',), 'events', ('id',), 'no action'), expected"),
    ("alter table podium_next.projects drop constraint projects_event_id_fkey;"
     " alter table podium_next.projects add constraint projects_event_id_fkey foreign key (event_id) references podium.events (id) on delete cascade",
     "'podium.events'"),
    ("alter table hello_miami.badges add constraint badges_name_check check (name <> '')", "unexpected checks badges_name_check"),
    ("create table podium.extra (id int)", "podium.extra: unexpected table"),
    ("drop table hello_miami_next.luma_webhooks", "hello_miami_next.luma_webhooks: table missing"),
]


@pytest.mark.parametrize("statement,report", DRIFTS, ids=[d[1][:40] for d in DRIFTS])
def test_any_drift_is_reported(db_url, statement, report):
    with connect(db_url) as conn:
        conn.execute(statement)
        found = []
        for schema in ("podium", "hello_miami", "podium_next", "hello_miami_next"):
            found += catalog.differences(EXPECTED[schema.removesuffix("_next")], catalog.describe(conn, schema), schema)
    assert any(report in line for line in found), found


def test_column_order_drift_is_reported(db_url):
    with connect(db_url) as conn:
        # same columns, different order: rebuild a table by hand
        conn.execute("drop table podium.event_attendees")
        conn.execute(
            "create table podium.event_attendees (user_id uuid not null references podium.users(id) on delete cascade,"
            " event_id uuid not null references podium.events(id) on delete cascade, id uuid primary key,"
            " unique (event_id, user_id))"
        )
        conn.execute("create index event_attendees_user_id_idx on podium.event_attendees (user_id)")
        found = catalog.differences(EXPECTED["podium"], catalog.describe(conn, "podium"), "podium")
    assert found == ["podium.event_attendees: column order is ['user_id', 'event_id', 'id'], expected ['id', 'event_id', 'user_id']"]


def test_reset_candidate_schemas_rebuilds_empty_spec_ddl(db_url):
    with connect(db_url) as conn:
        # a used, hand-changed candidate and a hand-changed live schema
        conn.execute("insert into podium_next.users (id, email, first_name) values (migration.stable_id('podium','users','rec1'), 'a@b.c', 'A')")
        conn.execute("alter table hello_miami_next.events add column stray text")
        conn.execute("create table podium_next.leftover (id int)")
        conn.execute("alter table podium.users add column live_only text")
        conn.commit()

        reset_candidate_schemas(conn)
        conn.commit()
        for app in EXPECTED:
            assert catalog.differences(EXPECTED[app], catalog.describe(conn, f"{app}_next"), f"{app}_next") == []
        assert conn.execute("select count(*) from podium_next.users").fetchone()[0] == 0
        # built from the DDL code, not copied from a live schema that was changed by hand
        assert "podium.users.live_only: unexpected column" in catalog.differences(EXPECTED["podium"], catalog.describe(conn, "podium"), "podium")


def test_reset_candidate_schemas_stays_in_callers_transaction(db_url):
    with connect(db_url) as conn:
        conn.execute("insert into podium_next.users (id, email, first_name) values (migration.stable_id('podium','users','rec1'), 'a@b.c', 'A')")
        conn.commit()
        reset_candidate_schemas(conn)
        assert conn.execute("select count(*) from podium_next.users").fetchone()[0] == 0
        conn.rollback()
        # the failed dry-run's caller rolled back: the previous candidate is intact
        assert conn.execute("select count(*) from podium_next.users").fetchone()[0] == 1


def test_reset_candidate_schemas_accepts_sqlalchemy_connection(db_url):
    from pipelines.database import engine

    with engine(db_url).begin() as conn:
        reset_candidate_schemas(conn)
    with connect(db_url) as conn:
        assert catalog.compare_schemas(conn, "hello_miami", "hello_miami_next") == []


def test_migration_schema_has_the_common_tables(db_url):
    with connect(db_url) as conn:
        actual = catalog.describe(conn, "migration")
        assert {t: [c[0] for c in d["columns"]] for t, d in actual.items()} == MIGRATION_COLUMNS
        for table, pk in MIGRATION_PRIMARY_KEYS.items():
            assert actual[table]["primary_key"] == pk
        # run-scoped rows are read and deleted per run: every table without run_id leading its key indexes it
        for table, desc in actual.items():
            if "run_id" in [c[0] for c in desc["columns"]] and (desc["primary_key"] or ("",))[0] != "run_id":
                assert any("(run_id)" in d for d in desc["indexes"].values()), table
        checks = {name for d in actual.values() for name in d["checks"]}
        assert {"count_ledger_source_check", "gate_results_severity_check"} <= checks
        for schema in ("raw_airtable", "raw_mongo", "raw_luma", "staging", "intermediate"):
            assert conn.execute("select 1 from pg_namespace where nspname = %s", (schema,)).fetchone(), schema


def test_migration_checks_reject_bad_rows(db_url):
    import psycopg

    with connect(db_url) as conn:
        with pytest.raises(psycopg.errors.CheckViolation):
            conn.execute("insert into migration.count_ledger (run_id, source, source_table) values ('r', 'excel', 'users')")
        conn.rollback()
        with pytest.raises(psycopg.errors.CheckViolation):
            conn.execute("insert into migration.gate_results (run_id, phase, name, severity, passed) values ('r', 'land', 'x', 'fatal', false)")


def test_ddl_modules_list_their_tables():
    from migrations.ddl import APPS

    for app, module in APPS.items():
        assert sorted(module.TABLES) == sorted(EXPECTED[app])
        assert sorted(t.name for t in module.metadata("x").sorted_tables) == sorted(EXPECTED[app])

"""The migrated catalog is migrations/targets/*.md, exactly: live schemas and their candidates
(clones of the live tables), column by column, and any drift is named."""

from __future__ import annotations

import pytest

from migrations.ddl import catalog, reset_candidate_schemas
from pipelines import registry
from pipelines.database import connect
from tests.spec_catalog import CANDIDATE, EXPECTED, MIGRATION_COLUMNS, MIGRATION_PRIMARY_KEYS


@pytest.mark.parametrize("schema", ["podium", "hello_miami", "podium_next", "hello_miami_next"])
def test_schema_matches_spec(db_url, schema):
    app = schema.removesuffix("_next")
    expected = CANDIDATE[app] if schema.endswith("_next") else EXPECTED[app]
    with connect(db_url) as conn:
        actual = catalog.describe(conn, schema)
    assert catalog.differences(expected, actual, schema) == []
    # the comparison looked at every table and column, not an empty description
    assert sorted(actual) == sorted(expected)
    assert sum(len(t["columns"]) for t in actual.values()) == sum(len(t["columns"]) for t in expected.values())


def test_spec_description_holds_the_md_facts():
    """The parsed md, spot-checked against the issue's own examples (not against our parser's output)."""
    podium, hm = EXPECTED["podium"], EXPECTED["hello_miami"]
    assert podium["events"]["indexes"]["ix_events_airtable_id"] == "CREATE UNIQUE INDEX ix_events_airtable_id ON events USING btree (airtable_id)"
    assert "events_airtable_id_key" not in podium["events"]["unique"]
    assert podium["votes"]["foreign_keys"]["votes_voter_id_fkey"] == (("voter_id",), "users", ("id",), "no action")
    assert hm["demo_slots"]["foreign_keys"]["demo_slots_event_id_events_id_fk"] == (("event_id",), "events", ("id",), "cascade")
    assert hm["profiles"]["indexes"]["profiles_skills_gin_idx"].endswith("USING gin (skills jsonb_path_ops)")
    assert hm["pending_users"]["indexes"]["pending_users_unapproved_idx"].endswith("btree (subscribed_at DESC) WHERE (approved_at IS NULL)")
    assert [c[0] for c in hm["profiles"]["columns"]][-7:] == [
        "linkedin_url", "looking_for_cofounder", "want_product_feedback", "seeking_accelerator_intros",
        "want_to_give_back", "specialties", "interested_experiences"]
    assert hm["member_badges"]["primary_key"] == ("member_id", "badge_id")
    assert sum(len(t["indexes"]) for t in hm.values()) == 37


def test_podium_version_row(db_url):
    with connect(db_url) as conn:
        assert conn.execute("select version_num from podium.alembic_version").fetchall() == [("e10bb6a39187",)]
        # ours is elsewhere, and the candidate has no version table of its own
        assert conn.execute("select count(*) from public.cutover_alembic_version").fetchone()[0] == 1
        assert conn.execute("select to_regclass('podium_next.alembic_version')").fetchone()[0] is None


def test_candidates_equal_live_and_are_empty(db_url):
    with connect(db_url) as conn:
        for app in EXPECTED:
            assert catalog.compare_schemas(conn, app, f"{app}_next", registry.APPLICATIONS[app].tables) == []
            for table in CANDIDATE[app]:
                assert conn.execute(f'select count(*) from {app}_next."{table}"').fetchone()[0] == 0


DRIFTS = [
    # (statement, a phrase the report must contain)
    ("alter table podium.users alter column email type varchar(300)",
     "podium.users.email: type is 'character varying(300)', expected 'character varying(255)'"),
    ("alter table podium.users alter column first_name drop not null",
     "podium.users.first_name: not null is False, expected True"),
    ("alter table podium.users alter column display_name set default ''",
     "podium.users.display_name: default is \"''::character varying\", expected None"),
    ("alter table hello_miami.events alter column stats set default '{}'::jsonb",
     "hello_miami.events.stats: default is \"'{}'::jsonb\""),
    ("alter table hello_miami.profiles alter column created_at type timestamptz",
     "hello_miami.profiles.created_at: type is 'timestamp with time zone'"),
    ("alter table hello_miami.attendance add column note text", "hello_miami.attendance.note: unexpected column"),
    ("alter table podium.referrals drop column content", "podium.referrals.content: column missing"),
    ("alter table hello_miami.profiles drop column linkedin_url", "hello_miami.profiles.linkedin_url: column missing"),
    ("drop index hello_miami.projects_tags_gin_idx", "indexes projects_tags_gin_idx missing"),
    ("drop index hello_miami.profiles_skills_gin_idx; create index profiles_skills_gin_idx on hello_miami.profiles using gin (skills)",
     "indexes profiles_skills_gin_idx is CREATE INDEX profiles_skills_gin_idx ON profiles USING gin (skills), expected"),
    ("drop index hello_miami.demo_slots_pending_idx; create index demo_slots_pending_idx on hello_miami.demo_slots (event_id, created_at)",
     "indexes demo_slots_pending_idx is CREATE INDEX demo_slots_pending_idx ON demo_slots USING btree (event_id, created_at), expected"),
    ("drop index podium.ix_events_airtable_id; alter table podium.events add constraint events_airtable_id_key unique (airtable_id)",
     "indexes ix_events_airtable_id missing"),
    ("alter table podium.votes drop constraint votes_voter_id_project_id_key", "unique votes_voter_id_project_id_key missing"),
    ("alter table podium.votes drop constraint votes_voter_id_fkey;"
     " alter table podium.votes add constraint votes_voter_id_fkey foreign key (voter_id) references podium.users (id) on delete cascade",
     "foreign_keys votes_voter_id_fkey is (('voter_id',), 'users', ('id',), 'cascade'), expected"),
    ("alter table hello_miami.demo_slots drop constraint demo_slots_event_id_events_id_fk;"
     " alter table hello_miami.demo_slots add constraint demo_slots_event_id_events_id_fk foreign key (event_id) references hello_miami.events (id)",
     "foreign_keys demo_slots_event_id_events_id_fk is (('event_id',), 'events', ('id',), 'no action'), expected"),
    ("alter table podium_next.projects drop constraint projects_event_id_fkey;"
     " alter table podium_next.projects add constraint projects_event_id_fkey foreign key (event_id) references podium.events (id)",
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
            app = schema.removesuffix("_next")
            found += catalog.differences(CANDIDATE[app] if schema.endswith("_next") else EXPECTED[app], catalog.describe(conn, schema), schema)
    assert any(report in line for line in found), found


def test_column_order_drift_is_reported(db_url):
    with connect(db_url) as conn:
        # same columns, constraints and names, different order: rebuild a table by hand
        conn.execute("drop table podium.event_attendees")
        conn.execute(
            "create table podium.event_attendees (id uuid not null default gen_random_uuid() constraint event_attendees_pkey primary key,"
            " event_id uuid not null constraint event_attendees_event_id_fkey references podium.events(id),"
            " user_id uuid not null constraint event_attendees_user_id_fkey references podium.users(id),"
            " constraint event_attendees_event_id_user_id_key unique (event_id, user_id))"
        )
        found = catalog.differences(EXPECTED["podium"], catalog.describe(conn, "podium"), "podium")
    assert found == ["podium.event_attendees: column order is ['id', 'event_id', 'user_id'], expected ['event_id', 'user_id', 'id']"]


def test_candidates_are_cloned_from_the_live_catalog(db_url):
    """An application's own additions (a nullable column, an index, a check) reach the candidate,
    names and all; a used, hand-changed candidate is rebuilt empty."""
    with connect(db_url) as conn:
        conn.execute("insert into podium_next.users (id, email, display_name, first_name, last_name, phone, street_1, street_2,"
                     " city, state, zip_code, country) values (gen_random_uuid(), 'a@b.c', '', 'A', '', '', '', '', '', '', '', '')")
        conn.execute("alter table hello_miami_next.events add column stray text")
        conn.execute("create table podium_next.leftover (id int)")
        conn.execute("alter table podium.users add column nickname varchar(40)")
        conn.execute("create index users_nickname_idx on podium.users (lower(nickname)) where nickname is not null")
        conn.execute("alter table hello_miami.badges add constraint badges_name_check check (name <> '')")
        # an index on a function of the application's own schema
        conn.execute("create function podium.norm(text) returns text immutable language sql as 'select lower($1)'")
        conn.execute("create index users_norm_email_idx on podium.users (podium.norm(email))")
        conn.commit()

        reset_candidate_schemas(conn)
        conn.commit()
        for app in EXPECTED:
            assert catalog.compare_schemas(conn, app, f"{app}_next", registry.APPLICATIONS[app].tables) == []
        users = catalog.describe(conn, "podium_next")["users"]
        assert ("nickname", "character varying(40)", False, None) in users["columns"]
        assert users["indexes"]["users_nickname_idx"] == (
            "CREATE INDEX users_nickname_idx ON users USING btree (lower((nickname)::text)) WHERE (nickname IS NOT NULL)")
        assert users["indexes"]["users_norm_email_idx"] == "CREATE INDEX users_norm_email_idx ON users USING btree (podium.norm((email)::text))"
        assert catalog.describe(conn, "hello_miami_next")["badges"]["checks"] == {"badges_name_check": "CHECK ((name <> ''::text))"}
        # foreign keys point at the candidate tables, not the live ones
        fks = catalog.describe(conn, "podium_next")["votes"]["foreign_keys"]
        assert {ref for _cols, ref, _ref_cols, _on_delete in fks.values()} == {"users", "projects", "events"}
        assert conn.execute("select count(*) from podium_next.users").fetchone()[0] == 0
        assert conn.execute("select to_regclass('podium_next.leftover')").fetchone()[0] is None


def test_candidate_of_a_live_schema_missing_tables_is_one_sentence(db_url):
    from pipelines.errors import CutoverError

    with connect(db_url) as conn:
        conn.execute("drop table hello_miami.luma_webhooks")
        with pytest.raises(CutoverError, match=r"hello_miami's live schema hello_miami lacks the tables luma_webhooks: run `cutover migrate`"):
            reset_candidate_schemas(conn)


def test_reset_candidate_schemas_stays_in_callers_transaction(db_url):
    with connect(db_url) as conn:
        conn.execute("insert into podium_next.users (id, email, display_name, first_name, last_name, phone, street_1, street_2,"
                     " city, state, zip_code, country) values (gen_random_uuid(), 'a@b.c', '', 'A', '', '', '', '', '', '', '', '')")
        conn.commit()
        reset_candidate_schemas(conn)
        assert conn.execute("select count(*) from podium_next.users").fetchone()[0] == 0
        conn.rollback()
        # the failed dry-run's caller rolled back: the previous candidate is intact
        assert conn.execute("select count(*) from podium_next.users").fetchone()[0] == 1


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


def test_the_md_lists_the_registry_tables():
    from migrations.ddl.spec import VERSION_TABLE

    for app in EXPECTED:
        assert set(EXPECTED[app]) - set(registry.APPLICATIONS[app].tables) == ({VERSION_TABLE} if app == "podium" else set())
        assert set(registry.APPLICATIONS[app].tables) <= set(EXPECTED[app])

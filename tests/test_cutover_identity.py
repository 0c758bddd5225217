"""Issue 13, "Done when": the cutover replaces rows, never the tables. The target is first set up as
the application would have it: an extra nullable column, an extra index, grants to a second role, a
publication over the tables, an application trigger and Podium's Alembic version row; then a real
dry-run of a snapshot sample, apply and rollback. After each step the catalog (OIDs, names, owners,
grants, columns, indexes, publication membership, the application's triggers) and the version row
are identical; the rows are the candidates' after apply and the originals after rollback.

The candidate gets the extra column and index after the dry-run by hand: that is what building the
candidates as a clone of the live catalog (issue 13's "use the application's tables as they are")
gives them, and `cutover apply` refuses candidates whose DDL differs from live.
"""

from __future__ import annotations

import uuid

import pytest

from pipelines.database import connect
from tests.test_cutover_apply import cli, contents, dagster_db, dagster_env  # noqa: F401

# a real dry-run per test on two cores (about a minute each): kept out of `make test`, run by .ci/run
pytestmark = pytest.mark.slow

LIVE = ("podium", "hello_miami")
OUR_TRIGGERS = "cutover_live_writes_%"

IDENTITY = """
select n.nspname, c.relname, c.oid::bigint, pg_get_userbyid(c.relowner), coalesce(c.relacl::text, ''),
       array(select a.attname || ' ' || format_type(a.atttypid, a.atttypmod) from pg_attribute a
              where a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped order by a.attnum),
       array(select i.indexrelid::regclass::text || ' ' || i.indexrelid::bigint from pg_index i
              where i.indrelid = c.oid order by 1),
       array(select t.tgname || ' ' || t.oid::bigint || ' ' || t.tgenabled::text from pg_trigger t
              where t.tgrelid = c.oid and not t.tgisinternal and t.tgname not like %(ours)s order by 1),
       array(select p.pubname from pg_publication_rel r join pg_publication p on p.oid = r.prpubid
              where r.prrelid = c.oid order by 1)
  from pg_class c join pg_namespace n on n.oid = c.relnamespace
 where n.nspname = any(%(schemas)s) and c.relkind in ('r', 'p')
 order by 1, 2
"""


def identity(url: str) -> dict:
    with connect(url) as conn:
        return {
            "schemas": conn.execute("select nspname, oid::bigint, pg_get_userbyid(nspowner), coalesce(nspacl::text, '') from pg_namespace where nspname = any(%s) order by 1",
                                    (list(LIVE),)).fetchall(),
            "tables": conn.execute(IDENTITY, {"schemas": list(LIVE), "ours": OUR_TRIGGERS}).fetchall(),
            "publication": conn.execute("select pubname, schemaname, tablename from pg_publication_tables order by 1, 2, 3").fetchall(),
            "version": conn.execute("select version_num from podium.alembic_version").fetchall(),
        }


def live_rows(url: str) -> dict:
    """The application tables' rows (the version row is part of `identity`)."""
    with connect(url) as conn:
        return {s: {t: rows for t, rows in contents(conn, s).items() if t != "alembic_version"} for s in LIVE}


def our_triggers(url: str) -> int:
    with connect(url) as conn:
        return conn.execute("select count(*) from pg_trigger where tgname like %s", (OUR_TRIGGERS,)).fetchone()[0]


def set_up_as_the_application(conn, role: str) -> None:
    conn.execute("alter table hello_miami.profiles add column pronouns text")  # the application's extra nullable column
    conn.execute("create index ix_users_first_name on podium.users (first_name)")  # and its extra index
    conn.execute(f'create role "{role}"')
    conn.execute(f'grant usage on schema podium, hello_miami to "{role}"')
    conn.execute(f'grant select, insert, update on all tables in schema podium, hello_miami to "{role}"')
    conn.execute("create publication zero_sync for table hello_miami.profiles, hello_miami.events, hello_miami.attendance, podium.users")
    # the application's own trigger: had it fired on the copy, the live rows would differ from the candidates
    conn.execute("""create function hello_miami.stamp_profile() returns trigger language plpgsql as $$
                    begin new.pronouns := 'stamped by the application'; return new; end $$""")
    conn.execute("create trigger profiles_stamp before insert or update on hello_miami.profiles for each row execute function hello_miami.stamp_profile()")
    # and one that fires under session_replication_role = replica too (the copy's fast path): paused explicitly
    conn.execute("""create function podium.stamp_user() returns trigger language plpgsql as $$
                    begin new.last_name := 'stamped by the application'; return new; end $$""")
    conn.execute("create trigger users_stamp before insert or update on podium.users for each row execute function podium.stamp_user()")
    conn.execute("alter table podium.users enable always trigger users_stamp")


def seed_live_rows_the_sources_hold(conn) -> None:
    """Live rows the application wrote before the cutover, one a table, with the ids a dry-run of
    the sample gives them (SPEC §4: every live row is live after the cutover) and other values."""
    conn.execute("insert into podium.users select * from podium_next.users order by id limit 1")
    conn.execute("update podium.users set first_name = 'Old'")
    conn.execute("insert into hello_miami.profiles (id, luma_email) select id, 'old@example.org' from hello_miami_next.profiles order by id limit 1")


def test_dry_run_apply_rollback_keep_every_live_table_and_swap_only_rows(db_url, dagster_env, tmp_path, capsys):
    role = f"app_role_{uuid.uuid4().hex[:6]}"
    with connect(db_url) as conn:
        set_up_as_the_application(conn, role)
    try:
        sample = tmp_path / "sample"
        assert cli("sample", "--out", str(sample), "--scale", "0.25") == 0
        assert cli("dry-run", "--snapshot", str(sample), "--report-dir", str(tmp_path / "report")) == 0
        with connect(db_url) as conn:
            seed_live_rows_the_sources_hold(conn)
        assert cli("dry-run", "--snapshot", str(sample), "--report-dir", str(tmp_path / "report2")) == 0
        with connect(db_url) as conn:  # the dry-run cloned the application's extras into the candidates
            candidates = {s: contents(conn, f"{s}_next") for s in LIVE}
        original_identity, original_rows = identity(db_url), live_rows(db_url)
        assert len(original_identity["tables"]) == 19 and original_identity["version"] == [("e10bb6a39187",)]

        assert cli("apply") == 0, capsys.readouterr().err
        assert identity(db_url) == original_identity  # same tables: OIDs, grants, indexes, publication, triggers, version row
        assert live_rows(db_url) == candidates != original_rows
        assert our_triggers(db_url) == 4 * 18  # the write counters, on each of the 18 application tables

        assert cli("rollback") == 0, capsys.readouterr().err
        assert identity(db_url) == original_identity
        assert live_rows(db_url) == original_rows
        assert our_triggers(db_url) == 0
    finally:
        with connect(db_url, autocommit=True) as conn:
            conn.execute("drop publication if exists zero_sync")
            conn.execute(f'drop owned by "{role}"')
            conn.execute(f'drop role "{role}"')

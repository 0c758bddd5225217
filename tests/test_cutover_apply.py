"""`cutover apply`: the latest passing dry-run's candidate rows become the live rows, atomically, with grants kept.

The candidate tables and the dry-run's ledger rows are written here by hand (a few rows), so these
tests exercise the cutover itself, through the real CLI entry point, the real Dagster job and a
real PostgreSQL.
"""

from __future__ import annotations

import json
import uuid
from datetime import datetime, timedelta, timezone

import pytest

from pipelines.database import connect
from tests.spec_catalog import filled

APPS = ("podium", "hello_miami")


# ---------------------------------------------------------------- helpers (shared by test_cutover_*)

@pytest.fixture(scope="session")
def dagster_db(admin_url):
    """One database for the Dagster run storage of all cutover/sync tests."""
    from pipelines.database import with_database

    name = f"dagster_{uuid.uuid4().hex[:8]}"
    with connect(admin_url, autocommit=True) as conn:
        conn.execute(f'create database "{name}"')
    yield with_database(admin_url, name)
    with connect(admin_url, autocommit=True) as conn:
        conn.execute(f'drop database if exists "{name}" with (force)')


@pytest.fixture
def dagster_env(dagster_db, tmp_path, monkeypatch):
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "dagster_home"))
    monkeypatch.setenv("DAGSTER_PG_URL", dagster_db)
    monkeypatch.setenv("USER", "test-operator")
    monkeypatch.setenv("CUTOVER_REPORTS_DIR", str(tmp_path / "reports"))  # the apply's and rollback's reports
    return dagster_db


def cli(*args: str) -> int:
    from assets.cli import main

    return main(list(args))


def uid(key: str) -> uuid.UUID:
    from migrations.ddl.identity import stable_id

    return stable_id("test", "row", key)


def seed_live(conn) -> None:
    """The live state before the cutover: what the applications see today. The candidates hold
    these rows' ids (SPEC §4: every live row is live after the cutover), with other values."""
    conn.execute(filled("insert into podium.users (id, email, first_name) values (%s, 'old@example.org', 'Old')"), (uid("dry-1-u0"),))
    conn.execute("insert into hello_miami.profiles (id, luma_email) values (%s, 'old@example.org')", (uid("dry-1-p0"),))


def seed_candidates(conn, run_id: str = "dry-1", passed: bool = True, finished: datetime | None = None, snapshot_dir: str | None = None,
                    captured_at: datetime | None = None, ids: str | None = None) -> None:
    """Candidate rows plus the dry-run that built them (runs, gate_results, count_ledger). Their ids
    derive from `ids` (default `run_id`): a later dry-run of the same sources passes the first
    run's, as the models' stable ids do, so the rows live since are among its candidates."""
    finished = finished or datetime.now(timezone.utc)
    key = ids or run_id
    users = [(uid(f"{key}-u{i}"), f"u{i}@example.org", f"User{i}") for i in range(2)]
    conn.execute("delete from podium_next.users")
    for row in users:
        conn.execute(filled("insert into podium_next.users (id, email, first_name) values (%s, %s, %s)"), row)
    conn.execute(
        filled("insert into podium_next.events (id, name, slug, join_code, owner_id) values (%s, 'Hack', 'hack', 'J1', %s)"),
        (uid(f"{key}-e"), users[0][0]),
    )
    conn.execute("insert into hello_miami_next.profiles (id, luma_email) values (%s, 'a@example.org'), (%s, 'b@example.org')",
                 (uid(f"{key}-p0"), uid(f"{key}-p1")))
    conn.execute(
        "insert into hello_miami_next.events (id, luma_event_id, name, url, start_at, timezone) values (%s, 'evt-1', 'Night', 'https://lu.ma/1', '2026-11-01 18:00', 'UTC')",
        (uid(f"{key}-he"),),
    )
    conn.execute("insert into hello_miami_next.attendance (id, member_id, luma_event_id) values (%s, %s, 'evt-1')", (uid(f"{key}-a"), uid(f"{key}-p0")))
    record_dry_run(conn, run_id, passed=passed, finished=finished, snapshot_dir=snapshot_dir, captured_at=captured_at,
                   ledger=[("airtable", "users", 2, "podium.users", 2), ("airtable", "events", 1, "podium.events", 1),
                           ("mongo", "profiles", 2, "hello_miami.profiles", 2), ("luma", "events", 1, "hello_miami.events", 1)])


def record_dry_run(conn, run_id, passed, finished, ledger, snapshot_dir=None, captured_at=None) -> None:
    conn.execute(
        """insert into migration.runs (run_id, job, started_at, finished_at, status, passed, snapshot_dir, captured_at)
           values (%s, 'dry_run', %s, %s, %s, %s, %s, %s)""",
        (run_id, finished - timedelta(minutes=1), finished, "success" if passed else "failed", passed, snapshot_dir, captured_at),
    )
    conn.execute(
        "insert into migration.gate_results (run_id, phase, application, name, severity, passed, failed_count) values (%s, 'reconcile', 'podium', 'count identity', 'error', %s, %s)",
        (run_id, passed, 0 if passed else 3),
    )
    for source, table, n, target, candidates in ledger:
        conn.execute(
            """insert into migration.count_ledger (run_id, source, source_table, source_count, landed, migrated, merged, quarantined, target_table, candidate_count)
               values (%s, %s, %s, %s, null, %s, 0, 0, %s, %s)""",
            (run_id, source, table, n, n, target, candidates),
        )


def contents(conn, schema: str) -> dict[str, list[str]]:
    """Every application table's full contents, as sorted row texts (not Podium's version table,
    which the cutover never copies)."""
    from assets.cutover import catalog
    from pipelines import registry

    mine = {t for a in registry.APPLICATIONS.values() for t in a.tables}
    return {t: [r[0] for r in conn.execute(f'select x::text from "{schema}"."{t}" x order by 1')]
            for t in catalog.tables(conn, schema) if t in mine}


def live_and_candidates(url):
    with connect(url) as conn:
        return {s: contents(conn, s) for s in ("podium", "hello_miami", "podium_next", "hello_miami_next")}


def seed_live_and_candidates(url) -> dict:
    """Live tables and a passed dry-run's candidates; returns live_and_candidates of that state."""
    with connect(url) as conn:
        seed_live(conn)
        seed_candidates(conn)
    return live_and_candidates(url)


# ---------------------------------------------------------------- tests

def test_apply_then_rollback_restores_the_live_tables_exactly(db_url, dagster_env, capsys):
    before = seed_live_and_candidates(db_url)

    assert cli("apply") == 0
    out = capsys.readouterr().out
    assert "podium: cutover 1" in out and "hello_miami: cutover 2" in out  # one cutover per application
    after = live_and_candidates(db_url)
    assert after["podium"] == before["podium_next"] and after["hello_miami"] == before["hello_miami_next"]
    assert all(rows == [] for rows in after["podium_next"].values())  # emptied candidates ...
    assert set(after["podium_next"]) == set(before["podium_next"])  # ... with the same tables
    with connect(db_url) as conn:
        cutovers = conn.execute("select app, run_id, operator, status, counts from migration.cutovers order by cutover_id").fetchall()
        runs = conn.execute("select job, status, passed from migration.runs where job in ('apply', 'rollback')").fetchall()
        prev = contents(conn, "podium_prev")
    assert [c[:4] for c in cutovers] == [("podium", "dry-1", "test-operator", "applied"), ("hello_miami", "dry-1", "test-operator", "applied")]
    assert cutovers[0][4]["podium.users"] == 2 and cutovers[1][4]["hello_miami.attendance"] == 1
    assert prev == before["podium"]  # the previous live rows, kept for rollback
    assert runs == [("apply", "success", True)]

    assert cli("rollback") == 0
    restored = live_and_candidates(db_url)
    assert restored["podium"] == before["podium"] and restored["hello_miami"] == before["hello_miami"]
    with connect(db_url) as conn:
        assert conn.execute("select distinct status, rolled_back_at is not null from migration.cutovers").fetchall() == [("rolled_back", True)]
        assert contents(conn, "podium_rolled_back") == after["podium"]  # the replaced rows, for inspection

    # both are safe to run twice: a second rollback is a no-op; apply refuses the emptied candidates
    assert cli("rollback") == 0
    assert "already rolled back" in capsys.readouterr().out
    assert live_and_candidates(db_url)["podium"] == before["podium"]


def test_second_apply_of_the_same_dry_run_is_a_clear_no_op(db_url, dagster_env, capsys):
    with connect(db_url) as conn:
        seed_candidates(conn)
    assert cli("apply") == 0
    live = live_and_candidates(db_url)
    capsys.readouterr()
    assert cli("apply") == 0
    assert "already live" in capsys.readouterr().out
    assert live_and_candidates(db_url) == live
    with connect(db_url) as conn:
        assert conn.execute("select count(*) from migration.cutovers").fetchone()[0] == 2  # one per application


def seed_a_failed_latest_dry_run(db_url) -> None:
    """Live tables, a passing dry-run an hour ago (dry-ok, its candidates built), then a failed one (dry-bad)."""
    with connect(db_url) as conn:
        seed_live(conn)
        seed_candidates(conn, "dry-ok", passed=True, finished=datetime.now(timezone.utc) - timedelta(hours=1))
        record_dry_run(conn, "dry-bad", passed=False, finished=datetime.now(timezone.utc), ledger=[])


def test_apply_refuses_when_the_latest_dry_run_failed(db_url, dagster_env, capsys):
    seed_a_failed_latest_dry_run(db_url)
    before = live_and_candidates(db_url)
    assert cli("apply") == 3
    err = capsys.readouterr().err
    assert "dry-bad" in err and "count identity" in err
    assert live_and_candidates(db_url) == before
    with connect(db_url) as conn:
        assert conn.execute("select count(*) from migration.cutovers").fetchone()[0] == 0
        assert conn.execute("select status from migration.runs where job = 'apply'").fetchone()[0] == "refused"


def test_apply_refuses_without_any_dry_run(db_url, dagster_env, capsys):
    assert cli("apply") == 3
    err = capsys.readouterr().err
    assert "no dry-run" in err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err  # one sentence, not Dagster's log


def test_apply_refuses_when_the_candidates_were_changed_after_the_dry_run(db_url, dagster_env, capsys):
    with connect(db_url) as conn:
        seed_candidates(conn)
        conn.execute("delete from podium_next.events")
        conn.execute(filled("insert into podium_next.users (id, email, first_name) values (%s, 'x@example.org', 'X')"), (uid("extra"),))
    assert cli("apply") == 3
    err = capsys.readouterr().err
    assert "podium_next.events holds 0 rows but dry-run dry-1 built 1" in err


def test_apply_refuses_candidates_whose_ddl_differs_from_live(db_url, dagster_env, capsys):
    with connect(db_url) as conn:
        seed_candidates(conn)
        conn.execute("alter table hello_miami_next.events add column stray text")
    assert cli("apply") == 3
    err = capsys.readouterr().err
    assert "hello_miami_next does not have the live DDL of hello_miami" in err and "stray" in err


def test_apply_refuses_when_the_snapshot_changed_since_the_dry_run(db_url, dagster_env, tmp_path, capsys):
    captured = datetime(2026, 11, 20, 12, 0, tzinfo=timezone.utc)
    manifest = tmp_path / "snap" / "manifest.json"
    manifest.parent.mkdir()
    manifest.write_text(json.dumps({"captured_at": "2026-11-20T12:00:00Z", "counts": {"airtable.users": 2, "mongo.profiles": 2}}))
    with connect(db_url) as conn:
        seed_candidates(conn, snapshot_dir=str(manifest.parent), captured_at=captured)
    manifest.write_text(json.dumps({"captured_at": "2026-11-20T12:00:00Z", "counts": {"airtable.users": 3, "mongo.profiles": 2}}))
    assert cli("apply") == 3
    assert "counts 3 records of airtable.users, the dry-run counted 2" in capsys.readouterr().err

    manifest.write_text(json.dumps({"captured_at": "2026-11-20T12:00:00Z", "counts": {"airtable.users": 2, "mongo.profiles": 2}}))
    assert cli("apply") == 0  # the same snapshot as the dry-run's: accepted


def test_apply_refuses_when_raw_data_was_relanded_after_the_dry_run(db_url, dagster_env, capsys):
    with connect(db_url) as conn:
        seed_candidates(conn)
        conn.execute("update migration.count_ledger set landed = 2 where source_table = 'users'")
        conn.execute("create table raw_airtable.users (id text primary key)")
        conn.execute("insert into raw_airtable.users values ('rec1'), ('rec2'), ('rec3')")
    assert cli("apply") == 3
    assert "raw_airtable.users holds 3 rows, the dry-run landed 2" in capsys.readouterr().err


def test_grants_and_ownership_of_the_live_schema_survive_the_swap(db_url, dagster_env):
    role = f"app_reader_{uuid.uuid4().hex[:6]}"
    with connect(db_url, autocommit=True) as conn:
        conn.execute(f'create role "{role}"')
        conn.execute(f'grant usage on schema podium, hello_miami to "{role}"')
        conn.execute(f'grant select on all tables in schema podium to "{role}"')
        conn.execute(f'grant select, insert on hello_miami.attendance to "{role}"')
        conn.execute(f'alter default privileges in schema podium grant select on tables to "{role}"')
        conn.execute(f'grant usage on schema podium_next to "{role}"')  # a candidate-only grant
        seed_candidates(conn)
    try:
        assert cli("apply") == 0
        with connect(db_url, autocommit=True) as conn:
            check = lambda q: conn.execute(q, (role,)).fetchone()[0]  # noqa: E731
            assert check("select has_schema_privilege(%s, 'podium', 'usage')")
            assert check("select has_schema_privilege(%s, 'hello_miami', 'usage')")
            assert check("select has_table_privilege(%s, 'podium.users', 'select')")
            assert check("select has_table_privilege(%s, 'hello_miami.attendance', 'insert')")
            assert not check("select has_table_privilege(%s, 'hello_miami.profiles', 'select')")
            assert check("select has_schema_privilege(%s, 'podium_next', 'usage')")  # the candidate's grant went back to the candidate
            conn.execute(f'set role "{role}"')
            assert conn.execute("select count(*) from podium.users").fetchone()[0] == 2
            # the application's role writes without any grant on schema migration: counted all the same
            conn.execute("insert into hello_miami.attendance (id, member_id, luma_event_id) values (%s, %s, 'evt-2')", (uid("app-write"), uid("dry-1-p1")))
            conn.execute("reset role")
            assert conn.execute("select inserted from migration.live_writes where table_name = 'attendance'").fetchone()[0] == 1
            conn.execute("create table podium.extra (id int)")  # default privileges moved with the live schema
            assert check("select has_table_privilege(%s, 'podium.extra', 'select')")
    finally:
        with connect(db_url, autocommit=True) as conn:
            conn.execute(f'drop owned by "{role}"')
            conn.execute(f'drop role "{role}"')


def test_a_second_cutover_keeps_one_generation_and_rollback_returns_to_the_first(db_url, dagster_env):
    with connect(db_url) as conn:
        seed_live(conn)
        seed_candidates(conn, "dry-1", finished=datetime.now(timezone.utc) - timedelta(hours=1))
    assert cli("apply") == 0
    first_live = live_and_candidates(db_url)
    with connect(db_url) as conn:
        seed_candidates(conn, "dry-2", ids="dry-1")  # a newer passing dry-run rebuilt the candidates
    assert cli("apply") == 0
    with connect(db_url) as conn:
        assert conn.execute("select run_id from migration.cutovers where status = 'applied' and app = 'podium' order by cutover_id").fetchall() == [("dry-1",), ("dry-2",)]
        assert {r[0] for r in conn.execute("select email from podium.users")} == {"u0@example.org", "u1@example.org"}
    assert cli("rollback") == 0
    back = live_and_candidates(db_url)
    assert back["podium"] == first_live["podium"] and back["hello_miami"] == first_live["hello_miami"]


def test_apply_waits_for_a_running_sync_then_gives_up_with_one_sentence(db_url, dagster_env, monkeypatch, capsys):
    from assets.cutover import locks

    with connect(db_url) as conn:
        seed_candidates(conn)
    monkeypatch.setenv("CUTOVER_LOCK_TIMEOUT_SECONDS", "0.5")
    with connect(db_url, autocommit=True) as holder:  # a Luma sync holds the lock
        assert locks.try_hold_for_session(holder)
        assert cli("apply") == 1
        assert "holds the cutover lock" in capsys.readouterr().err
    assert cli("apply") == 0  # once it is released, the apply goes through


def test_a_dry_run_failed_by_one_application_cuts_the_other_over_and_refuses_it(db_url, dagster_env, capsys):
    before = seed_live_and_candidates(db_url)
    with connect(db_url) as conn:  # Podium's gates passed; Hello Miami's failed, so the run as a whole did not pass
        conn.execute("update migration.runs set passed = false, status = 'failed' where run_id = 'dry-1'")
        conn.execute("""insert into migration.gate_results (run_id, phase, application, name, severity, passed, failed_count)
                        values ('dry-1', 'transform', 'hello_miami', 'profiles unique email', 'error', false, 2)""")
    assert cli("apply") == 3
    err = capsys.readouterr().err
    assert err.startswith("cutover apply: hello_miami: the latest dry-run dry-1 failed blocking gates of hello_miami: transform/profiles unique email (2 failed)")
    assert "podium went ahead: cutover 1" in err and len(err.strip().splitlines()) == 1
    after = live_and_candidates(db_url)
    assert after["podium"] == before["podium_next"] and after["hello_miami"] == before["hello_miami"]
    with connect(db_url) as conn:
        assert conn.execute("select app, status from migration.cutovers").fetchall() == [("podium", "applied")]
        assert conn.execute("select status, passed from migration.runs where job = 'apply'").fetchone() == ("refused", False)

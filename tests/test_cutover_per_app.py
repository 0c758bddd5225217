"""Issue 13, "Per application": Podium and Hello Miami in two real databases
(PODIUM_DATABASE_URL, HELLO_MIAMI_DATABASE_URL). Podium's apply and rollback never touch Hello
Miami's database and the other way round (its rows, and PostgreSQL's own count of tuples written
there, pg_stat_user_tables), and `--app podium` goes ahead while Hello Miami's gates failed; without
`--app`, Podium is cut over and Hello Miami refused, exit 3, one sentence naming it and its gate.

The commands run as subprocesses, as an operator runs them: when the process ends its server
sessions end, and PostgreSQL has counted everything they wrote.
"""

from __future__ import annotations

import time
import uuid

import pytest

from assets.cutover import catalog
from pipelines.database import connect
from tests.spec_catalog import filled
from tests.conftest import _create_database, _drop_database
from tests.test_cutover_apply import cli, contents, dagster_db, dagster_env, seed_candidates, seed_live  # noqa: F401
from tests.test_cutover_e2e import cutover

# a real dry-run per test on two cores (about a minute each): kept out of `make test`, run by .ci/run
pytestmark = pytest.mark.slow


@pytest.fixture
def hello_miami_db(admin_url, template_db):
    """Hello Miami's own database, migrated like `db_url` (Podium's here)."""
    name = f"t_{uuid.uuid4().hex[:10]}"
    yield _create_database(admin_url, name, template=template_db)
    _drop_database(admin_url, name)


def _dbname(url: str) -> str:
    with connect(url) as conn:
        return conn.execute("select current_database()").fetchone()[0]


def writes(admin_url: str, url: str) -> int:
    """Rows inserted, updated and deleted in the database's own tables so far, once no client
    session is left in it (a session's counts are published when it ends). The tables' counters,
    not pg_stat_database's: autovacuum's ANALYZE writes pg_statistic rows there at any moment."""
    name = _dbname(url)
    deadline = time.monotonic() + 30
    with connect(admin_url, autocommit=True) as conn:
        while conn.execute("select count(*) from pg_stat_activity where datname = %s and backend_type = 'client backend'",
                           (name,)).fetchone()[0]:
            assert time.monotonic() < deadline, f"sessions in {name} did not end"
            time.sleep(0.1)
    with connect(url, autocommit=True) as conn:
        return conn.execute("select coalesce(sum(n_tup_ins + n_tup_upd + n_tup_del), 0) from pg_stat_user_tables").fetchone()[0]


def state(url: str) -> dict:
    """Everything a cutover of either application could change in one database."""
    with connect(url) as conn:
        return {
            "schemas": [r[0] for r in conn.execute("select nspname from pg_namespace order by 1")],
            **{s: contents(conn, s) for s in ("podium", "hello_miami", "podium_next", "hello_miami_next")},
            "cutovers": conn.execute("select cutover_id, app, status from migration.cutovers order by 1").fetchall(),
            "runs": conn.execute("select run_id, job, status from migration.runs order by 1, 2").fetchall(),
        }


def untouched(admin_url: str, url: str, command: tuple[str, ...], exit_code: int):
    """Run `cutover <command>`, assert its exit status and that `url`'s database saw no write; returns the run."""
    before_writes, before = writes(admin_url, url), state(url)
    done = cutover(*command)
    assert done.returncode == exit_code, done.stdout + done.stderr
    assert state(url) == before
    assert writes(admin_url, url) == before_writes, f"`cutover {' '.join(command)}` wrote to the other application's database"
    return done


def test_each_application_is_cut_over_in_its_own_database_and_judged_by_its_own_gates(db_url, hello_miami_db, admin_url, dagster_env, monkeypatch):
    podium_db = db_url
    monkeypatch.setenv("PODIUM_DATABASE_URL", podium_db)
    monkeypatch.setenv("HELLO_MIAMI_DATABASE_URL", hello_miami_db)
    for url in (podium_db, hello_miami_db):
        with connect(url) as conn:
            seed_live(conn)
            seed_candidates(conn)  # dry-run dry-1 in each database
    with connect(hello_miami_db) as conn:  # ... which failed one of Hello Miami's blocking gates
        conn.execute("""insert into migration.gate_results (run_id, phase, application, name, severity, passed, failed_count)
                        values ('dry-1', 'reconcile', 'hello_miami', 'quarantine under its ceiling', 'error', false, 7)""")
        hello_miami_before = {s: contents(conn, s) for s in ("hello_miami", "hello_miami_next")}
    with connect(podium_db) as conn:
        podium_before = {s: contents(conn, s) for s in ("podium", "podium_next")}

    # Podium goes ahead with --app although Hello Miami's gates failed, and never touches its database
    untouched(admin_url, hello_miami_db, ("apply", "--app", "podium"), 0)
    with connect(podium_db) as conn:
        assert contents(conn, "podium") == podium_before["podium_next"]
        assert conn.execute("select app, status from migration.cutovers").fetchall() == [("podium", "applied")]
    untouched(admin_url, hello_miami_db, ("rollback", "--app", "podium"), 0)
    with connect(podium_db) as conn:
        assert contents(conn, "podium") == podium_before["podium"]

    # Hello Miami is refused on its own gate, in its own database only
    refused = untouched(admin_url, podium_db, ("apply", "--app", "hello_miami"), 3)
    assert refused.stderr.strip().splitlines() == [
        "cutover apply: hello_miami: the latest dry-run dry-1 failed blocking gates of hello_miami: "
        "reconcile/quarantine under its ceiling (7 failed); fix them and run `cutover dry-run` again."
    ]
    untouched(admin_url, podium_db, ("rollback", "--app", "hello_miami"), 3)
    with connect(hello_miami_db) as conn:
        assert {s: contents(conn, s) for s in ("hello_miami", "hello_miami_next")} == hello_miami_before
        # the refusals were recorded where they happened (a write the measure above does see)
        assert [r[0] for r in conn.execute("select status from migration.runs where job in ('apply', 'rollback') order by started_at")] == ["refused", "refused"]

    # both at once: Podium (a new passing dry-run) is cut over, Hello Miami refused, exit 3 naming it
    with connect(podium_db) as conn:
        conn.execute("truncate " + ", ".join(f"hello_miami_next.{t}" for t in catalog.tables(conn, "hello_miami_next")))
        seed_candidates(conn, "dry-2", ids="dry-1")
        candidates = contents(conn, "podium_next")
    both = cutover("apply")
    assert both.returncode == 3, both.stdout + both.stderr
    assert both.stderr.startswith("cutover apply: hello_miami: the latest dry-run dry-1 failed blocking gates of hello_miami")
    assert "; podium went ahead: cutover 2: dry-run dry-2 is live in podium" in both.stderr
    with connect(podium_db) as conn:
        assert contents(conn, "podium") == candidates
        assert conn.execute("select status from migration.runs where job = 'apply' order by started_at desc limit 1").fetchone()[0] == "success"
    with connect(hello_miami_db) as conn:
        assert contents(conn, "hello_miami") == hello_miami_before["hello_miami"]
        assert conn.execute("select count(*) from migration.cutovers").fetchone()[0] == 0


def test_a_live_schema_named_by_podium_schema_public_is_cut_over_in_place(db_url, dagster_env, monkeypatch, capsys):
    monkeypatch.setenv("PODIUM_SCHEMA", "public")
    with connect(db_url) as conn:  # Podium's tables where its own migrations put them: schema public
        for table in catalog.tables(conn, "podium"):
            conn.execute(f"alter table podium.{table} set schema public")
        # a live user the candidates hold too (SPEC §4: no live row is deleted)
        conn.execute(filled("insert into public.users (id, email, first_name) values (migration.stable_id('test', 'row', 'dry-1-u0'), 'old@example.org', 'Old')"))
        seed_candidates(conn)
        before, candidates = contents(conn, "public"), contents(conn, "podium_next")
        # public also holds tables that are not Podium's application tables: never copied
        versions = "select (select array_agg(version_num) from public.cutover_alembic_version), (select array_agg(version_num) from public.alembic_version)"
        others = conn.execute(versions).fetchone()
        public_tables = set(catalog.tables(conn, "public"))
    assert {"cutover_alembic_version", "alembic_version"} <= public_tables - set(candidates)
    assert cli("apply", "--app", "podium") == 0
    assert "is live in public" in capsys.readouterr().out
    with connect(db_url) as conn:
        assert contents(conn, "public") == candidates
        assert conn.execute(versions).fetchone() == others
        assert contents(conn, "podium_prev") == {t: rows for t, rows in before.items() if t in candidates}
        assert not catalog.schema_exists(conn, "public_prev")
    assert cli("rollback", "--app", "podium") == 0
    with connect(db_url) as conn:
        assert contents(conn, "public") == before

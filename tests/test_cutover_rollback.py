"""`cutover rollback`: refuses to lose rows written to the live tables since the cutover unless
--force, names them per table; during an apply's copy readers see the old rows without waiting, and
an apply killed before its commit leaves the live tables fully old."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psycopg
import pytest

from pipelines.database import connect
from tests.test_cutover_apply import cli, contents, dagster_db, dagster_env, live_and_candidates, seed_live_and_candidates, uid  # noqa: F401
from tests.spec_catalog import filled

REPO = Path(__file__).resolve().parent.parent


def test_rollback_after_live_writes_refuses_and_states_the_count(db_url, dagster_env, capsys):
    before = seed_live_and_candidates(db_url)
    assert cli("apply") == 0
    with connect(db_url) as conn:  # the applications are running on the new live tables
        conn.execute(filled("insert into podium.users (id, email, first_name) values (%s, 'n1@example.org', 'N'), (%s, 'n2@example.org', 'N')"),
                     (uid("new1"), uid("new2")))
        conn.execute("update hello_miami.profiles set bio = 'hi'")
        conn.execute("delete from hello_miami.attendance")
    capsys.readouterr()

    assert cli("rollback") == 3
    err = capsys.readouterr().err
    assert "podium.users: 2 rows (2 inserted, 0 updated, 0 deleted)" in err
    assert "hello_miami.profiles: 2 rows (0 inserted, 2 updated, 0 deleted)" in err
    assert "hello_miami.attendance: 1 rows (0 inserted, 0 updated, 1 deleted)" in err
    assert "--force" in err
    with connect(db_url) as conn:
        assert conn.execute("select count(*) from podium.users").fetchone()[0] == 4  # nothing rolled back
        assert conn.execute("select status from migration.cutovers").fetchone()[0] == "applied"

    assert cli("rollback", "--force") == 0
    assert "lost (forced)" in capsys.readouterr().out
    restored = live_and_candidates(db_url)
    assert restored["podium"] == before["podium"] and restored["hello_miami"] == before["hello_miami"]
    with connect(db_url) as conn:
        detail = conn.execute("select detail from migration.cutovers").fetchone()[0]
        # the rolled-back live state is kept for inspection, and the triggers are gone from it
        assert conn.execute("select count(*) from podium_rolled_back.users").fetchone()[0] == 4
        assert conn.execute("select count(*) from pg_trigger where tgname like 'cutover_live_writes_%%'").fetchone()[0] == 0
    assert detail["rollback"]["forced"] is True


def test_rollback_without_a_cutover_refuses(db_url, dagster_env, capsys):
    assert cli("rollback") == 3
    assert "no cutover to roll back" in capsys.readouterr().err


def _wait_for_sleeping_swap(url: str, proc, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"the apply ended before its pause: {proc.stderr.read().decode()}")
        with connect(url, autocommit=True) as conn:
            if conn.execute("select count(*) from pg_stat_activity where datname = current_database() and query like 'select pg_sleep%%' and state = 'active'").fetchone()[0]:
                return
        time.sleep(0.2)
    raise AssertionError("the apply never reached the pause inside its copy transaction")


def _wait_until_backend_gone(url: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with connect(url, autocommit=True) as conn:
            if not conn.execute("select count(*) from pg_stat_activity where datname = current_database() and query like 'select pg_sleep%%'").fetchone()[0]:
                return
        time.sleep(0.2)
    raise AssertionError("the killed apply's server session did not end")


def test_a_reader_during_apply_sees_the_old_rows_unblocked_and_a_killed_apply_changes_nothing(db_url, dagster_env):
    before = seed_live_and_candidates(db_url)
    env = {**os.environ, "CUTOVER_TEST_PAUSE_IN_SWAP": "30"}
    proc = subprocess.Popen([sys.executable, "-m", "assets.cli", "apply"], cwd=REPO, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        # podium's rows are copied inside its open transaction, which now sleeps before its commit
        _wait_for_sleeping_swap(db_url, proc)
        with connect(db_url, autocommit=True) as conn:
            conn.execute("set lock_timeout = '300ms'")  # a reader that had to wait would fail here
            started = time.monotonic()
            assert contents(conn, "podium") == before["podium"]  # every table still the old rows: no mix
            assert time.monotonic() - started < 5
            with pytest.raises(psycopg.errors.LockNotAvailable):  # writers wait for the commit
                conn.execute("insert into podium.users (id, email, first_name) values (%s, 'w@example.org', 'W')", (uid("writer"),))
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    _wait_until_backend_gone(db_url)
    assert live_and_candidates(db_url) == before  # fully old: live rows and candidates as they were
    with connect(db_url) as conn:
        assert conn.execute("select count(*) from migration.cutovers").fetchone()[0] == 0
        assert conn.execute("select count(*) from pg_namespace where nspname like '%%_prev'").fetchone()[0] == 0
        assert conn.execute("select count(*) from pg_trigger where tgname like 'cutover_live_writes_%%'").fetchone()[0] == 0

    assert cli("apply") == 0  # and the cutover can simply be run again
    after = live_and_candidates(db_url)
    assert after["podium"] == before["podium_next"] and after["hello_miami"] == before["hello_miami_next"]


def test_rollback_leaves_the_counters_inert_rather_than_wait_for_a_long_reader(db_url, dagster_env, capsys):
    before = seed_live_and_candidates(db_url)
    assert cli("apply") == 0
    with connect(db_url) as reader:  # a report reading podium.users in a long transaction
        reader.execute("select count(*) from podium.users").fetchone()
        started = time.monotonic()
        assert cli("rollback", "--app", "podium") == 0
        assert time.monotonic() - started < 30  # not held up by the reader beyond the 1 s wait
        assert "the write-counting triggers stay on podium's tables" in capsys.readouterr().out
        reader.rollback()
    assert live_and_candidates(db_url)["podium"] == before["podium"]
    with connect(db_url) as conn:
        assert conn.execute("select count(*) from pg_trigger where tgname like 'cutover_live_writes_%%' and tgrelid = 'podium.users'::regclass").fetchone()[0] == 4
        conn.execute(filled("insert into podium.users (id, email, first_name) values (%s, 'late@example.org', 'L')"), (uid("late"),))
        # inert: podium's latest cutover is rolled back, so nothing counts towards it
        assert conn.execute("select count(*) from migration.live_writes where schema_name = 'podium'").fetchone()[0] == 0

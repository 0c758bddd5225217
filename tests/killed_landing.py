"""Helpers of the killed-landing tests (test_land_killed_luma.py, test_land_killed_mongo.py).

Landings KILLED mid-run (a real child process, SIGKILL), then rerun: Luma (merge disposition,
where a replayed or half-applied load would duplicate rows) and MongoDB from a snapshot (replace).

Each kill happens at a point the test can prove, not after a guessed delay:
- during extraction: Luma's child is throttled by its own client-side limiter (LUMA_MAX_RPM) and
  killed while it waits mid-listing; MongoDB's child is killed while its conversion workers are
  decoding the large mongodump file;
- during the load: the test holds ACCESS EXCLUSIVE locks on the raw tables, so the child's merge /
  swap statements queue behind them; the child is killed while its server session waits.

After the kill the previously landed rows are intact (each raw table is all old, or, where the
server finished a statement the dead client had already sent, all new: never a mix, never a
duplicate), and the rerun in this process lands exactly the source's rows, key-unique, with the
count ledger's source count equal to the landed count. The rerun uses the same dlt working
directory as the killed child, so a half-built package left behind would be replayed if the
landing did not discard it.

Also: a 500 in the middle of the events listing through `land.land` (the `cutover land` path, with
its ledger); tests/test_luma_live.py covers a 500 in get-guests at the source level.
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil

from pipelines.database import connect

REPO = Path(__file__).resolve().parent.parent
UTC = dt.timezone.utc


# ---------------------------------------------------------------- the killed child

def start_landing(source: str, snapshot: str | None, run_id: str, env: dict, log: Path) -> subprocess.Popen:
    """`land.land(source, snapshot, run_id)` in a child process of its own process group (so the
    helpers it starts can be reaped after the kill)."""
    code = f"from pipelines import land; land.land({source!r}, {snapshot!r}, {run_id!r})"
    with open(log, "wb") as stderr:
        return subprocess.Popen([sys.executable, "-c", code], cwd=REPO, env=env, stdout=subprocess.DEVNULL,
                                stderr=stderr, start_new_session=True)


def wait_for(predicate, proc: subprocess.Popen, what: str, log: Path, timeout: float = 60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"the landing ended (exit {proc.returncode}) before {what}:\n{log.read_text()[-2000:]}")
        found = predicate()
        if found:
            return found
        time.sleep(0.02)
    raise AssertionError(f"timed out waiting for {what}")


def sigkill(proc: subprocess.Popen) -> None:
    assert proc.poll() is None, "the landing finished before it could be killed"
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL


def reap(proc: subprocess.Popen) -> None:
    """Kill what the killed child left in its own process group (its worker processes)."""
    if proc.poll() is None:
        proc.kill()
        proc.wait(timeout=30)
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def conversion_workers(pid: int) -> list[psutil.Process]:
    """The child's spawned worker processes (pipelines/mongo/parallel.py)."""
    try:
        children = psutil.Process(pid).children(recursive=True)
    except psutil.NoSuchProcess:
        return []
    found = []
    for child in children:
        try:
            if "spawn_main" in " ".join(child.cmdline()):
                found.append(child)
        except psutil.Error:
            continue
    return found


# ---------------------------------------------------------------- the database side

def fetch(url, sql, params=None):
    with connect(url) as conn:
        return conn.execute(sql, params or ()).fetchall()


def backends(url) -> set[int]:
    return {r[0] for r in fetch(url, "select pid from pg_stat_activity where datname = current_database() "
                                     "and pid <> pg_backend_pid() and backend_type = 'client backend'")}


def lock_waiters(url, exclude: set[int]) -> set[int]:
    rows = fetch(url, "select pid from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'")
    return {r[0] for r in rows} - exclude


def wait_until_gone(url, pids: set[int], timeout: float = 30) -> None:
    """The killed client's server sessions end once they notice (or finish what was sent)."""
    deadline = time.monotonic() + timeout
    while backends(url) & pids:
        if time.monotonic() > deadline:
            raise AssertionError(f"the killed landing's sessions {backends(url) & pids} did not end")
        time.sleep(0.1)


def hold_locks(url, tables: list[str]):
    """A connection holding ACCESS EXCLUSIVE locks on `tables` until it is rolled back."""
    conn = connect(url)
    conn.execute(f"lock table {', '.join(tables)} in access exclusive mode")
    return conn


def kill_while_its_load_waits(url, proc: subprocess.Popen, locker, mine: set[int], log: Path, what: str,
                              check=None) -> None:
    """`locker` (from `hold_locks`, taken before `proc` started; `mine` = the test's own sessions):
    wait until the child's load queues behind the locks, run `check(waiting sessions)`, SIGKILL the
    child, release the locks, and wait until the child's sessions are gone."""
    child_sessions: set[int] = set()
    try:
        waiting = wait_for(lambda: lock_waiters(url, mine), proc, what, log)
        if check is not None:
            check(waiting)
        child_sessions = backends(url) - mine
        sigkill(proc)
    finally:
        locker.rollback()
        locker.close()
        reap(proc)
    wait_until_gone(url, child_sessions)


def ledger(url, run_id):
    return fetch(url, "select source_table, source_count, landed from migration.count_ledger where run_id = %s order by 1",
                 (run_id,))


def all_old_or_all_new(now: list[tuple], before: list[tuple], new_keys: set, what: str) -> str:
    """rows are (key..., load_id, record): either exactly the previous landing, or every key of the
    killed run's source once, all from one load that is not the previous one."""
    if now == before:
        return "old"
    keys = [row[:-2] for row in now]
    loads = {row[-2] for row in now}
    assert len(keys) == len(set(keys)), f"{what}: duplicate keys after the kill"
    assert set(keys) == new_keys and len(loads) == 1 and not loads & {row[-2] for row in before}, (
        f"{what} is neither the previous landing nor the killed run's whole landing: {len(now)} rows from loads {sorted(loads)}")
    return "new"


# ---------------------------------------------------------------- Luma (merge)

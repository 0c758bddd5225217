"""Landings KILLED mid-run (a real child process, SIGKILL), then rerun: Luma (merge disposition,
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
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from pipelines import land
from pipelines.database import connect
from pipelines.errors import CutoverError
from pipelines.mongo.collections import COLLECTIONS
from tests.standins.luma import LumaStandin
from tests.test_luma_live import counts as luma_counts
from tests.test_luma_live import make_events, make_guests

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

def luma_rows(url):
    events = fetch(url, "select api_id, _dlt_load_id, record::text from raw_luma.events order by 1")
    guests = fetch(url, "select event_api_id, api_id, _dlt_load_id, record::text from raw_luma.guests order by 1, 2")
    return events, guests


@pytest.fixture
def luma_calendar(db_url, monkeypatch):
    """A stand-in calendar of 8 events x 5 guests already landed by run-first, which then grows to
    12 events (60 guests) and has a guest checked in: what the killed run was landing."""
    events = make_events(12)
    guests = make_guests(events, 5)
    with LumaStandin(events[:8], {e["api_id"]: guests[e["api_id"]] for e in events[:8]}, page_size=2) as luma:
        monkeypatch.setenv("LUMA_API_KEY", luma.api_key)
        monkeypatch.setenv("LUMA_BASE_URL", luma.url)
        land.land("luma", None, "run-first", db_url)
        assert luma_counts(db_url) == (8, 8, 40, 40)
        for event in events[8:]:
            luma.add_event(event)
            for guest in guests[event["api_id"]]:
                luma.add_guest(event["api_id"], guest)
        luma.check_in("evt-001", "gst-evt-001-0", at="2025-03-08T23:10:00.000Z")
        luma.reset_log()
        yield luma


def rerun_luma_and_check(db_url, luma):
    """A change after the kill must show: a replayed stale package from the killed run would undo it."""
    luma.rename_event("evt-003", "Renamed after the kill")
    land.land("luma", None, "run-rerun", db_url)
    assert luma_counts(db_url) == (12, 12, 60, 60)
    assert ledger(db_url, "run-rerun") == [("events", 12, 12), ("guests", 60, 60)]
    assert fetch(db_url, "select record->'event'->>'name' from raw_luma.events where api_id = 'evt-003'") == [("Renamed after the kill",)]
    assert fetch(db_url, "select record->'guest'->>'checked_in_at' from raw_luma.guests "
                         "where event_api_id = 'evt-001' and api_id = 'gst-evt-001-0'") == [("2025-03-08T23:10:00.000Z",)]
    assert fetch(db_url, "select count(*) from migration.count_ledger where run_id = 'run-killed'") == [(0,)]


def test_luma_landing_killed_mid_listing_then_rerun_has_no_duplicates(db_url, tmp_path, luma_calendar):
    luma = luma_calendar
    before = luma_rows(db_url)
    # the child's own limiter lets 10 requests through, then waits for the minute to pass: mid-listing
    # (the whole listing is 6 event pages + 36 guest pages)
    env = {**os.environ, "DATABASE_URL": db_url, "LUMA_API_KEY": luma.api_key, "LUMA_BASE_URL": luma.url,
           "LUMA_MAX_RPM": "10"}
    log = tmp_path / "child.log"
    proc = start_landing("luma", None, "run-killed", env, log)
    try:
        wait_for(lambda: len(luma.requests) >= 10, proc, "10 requests", log)
        time.sleep(0.3)
        assert len(luma.requests) == 10 and all(status == 200 for _, _, status in luma.requests)
        sigkill(proc)
    finally:
        reap(proc)
    assert luma_rows(db_url) == before  # the previous landing is intact, row for row

    rerun_luma_and_check(db_url, luma)


def test_luma_landing_killed_during_its_merge_then_rerun_has_no_duplicates(db_url, tmp_path, luma_calendar):
    luma = luma_calendar
    before_events, before_guests = luma_rows(db_url)
    env = {**os.environ, "DATABASE_URL": db_url, "LUMA_API_KEY": luma.api_key, "LUMA_BASE_URL": luma.url}
    log = tmp_path / "child.log"
    locker = hold_locks(db_url, ["raw_luma.events", "raw_luma.guests"])
    mine = backends(db_url)
    proc = start_landing("luma", None, "run-killed", env, log)
    try:
        waiting = wait_for(lambda: lock_waiters(db_url, mine), proc, "the merge to wait for the raw tables", log)
        assert any("raw_luma" in q for (q,) in fetch(db_url, "select query from pg_stat_activity where pid = any(%s)", (list(waiting),)))
        assert len(luma.requests) == 6 + 36  # the listing was complete: this is the load
        child_sessions = backends(db_url) - mine
        sigkill(proc)
    finally:
        locker.rollback()
        locker.close()
        reap(proc)
    wait_until_gone(db_url, child_sessions)

    events, guests = luma_rows(db_url)
    all_old_or_all_new(events, before_events, {(f"evt-{i:03d}",) for i in range(12)}, "raw_luma.events")
    all_old_or_all_new(guests, before_guests, {(f"evt-{i:03d}", f"gst-evt-{i:03d}-{j}") for i in range(12) for j in range(5)},
                       "raw_luma.guests")
    assert luma_counts(db_url)[2:] in ((40, 40), (60, 60))

    rerun_luma_and_check(db_url, luma)


def test_luma_500_mid_events_listing_through_land_then_rerun(db_url, luma_calendar, monkeypatch):
    luma = luma_calendar
    before = luma_rows(db_url)
    monkeypatch.setenv("LUMA_MAX_ATTEMPTS", "2")
    monkeypatch.setenv("LUMA_BACKOFF", "0")
    luma.fail(status=500, times=100, path_contains="list-events", skip=2)  # event pages 1-2 served, page 3 dies
    with pytest.raises(CutoverError, match="Luma answered 500 for /v1/calendar/list-events"):
        land.land("luma", None, "run-500", db_url)
    assert [status for _, path, status in luma.requests if "list-events" in path] == [200, 200, 500, 500]
    assert luma_rows(db_url) == before
    assert ledger(db_url, "run-500") == []
    luma.clear_failures()
    rerun_luma_and_check(db_url, luma)


# ---------------------------------------------------------------- MongoDB snapshot (replace)

def write_mongo_snapshot(folder: Path, documents: dict[str, list[dict]]) -> dict[str, set[str]]:
    """mongodump files and manifest; returns the ids per collection."""
    import bson

    (folder / "mongo").mkdir(parents=True)
    for name, docs in documents.items():
        with open(folder / "mongo" / f"{name}.bson", "wb") as handle:
            for document in docs:
                handle.write(bson.encode(document))
    (folder / "manifest.json").write_text(json.dumps(
        {"captured_at": "2024-06-01T00:00:00Z", "counts": {f"mongo.{k}": len(v) for k, v in documents.items()}}))
    return {name: {str(d["_id"]) for d in docs} for name, docs in documents.items()}


def document(i: int, **extra) -> dict:
    from bson import ObjectId

    return {"_id": ObjectId(), "n": i, "createdAt": dt.datetime(2024, 1, 1, tzinfo=UTC) + dt.timedelta(minutes=i), **extra}


def two_mongo_snapshots(tmp_path, large: int = 0):
    """Snapshot A (landed first) and B: B keeps half of A's documents (edited), drops the other half
    and adds new ones; with `large`, B's attendance holds that many documents (> 4 MiB, so the
    landing converts it in worker processes)."""
    a_docs = {name: [document(i) for i in range(20)] for name in COLLECTIONS}
    b_docs = {}
    for name in COLLECTIONS:
        kept = [{**d, "n": d["n"] + 1000, "edited": True} for d in a_docs[name][:10]]
        n_new = large if (large and name == "attendance") else 15
        b_docs[name] = kept + [document(100 + i, note="x" * 250) for i in range(n_new)]
    return write_mongo_snapshot(tmp_path / "A", a_docs), write_mongo_snapshot(tmp_path / "B", b_docs)


def mongo_rows(url):
    return {name: fetch(url, f"select _id, _dlt_load_id, document::text from raw_mongo.{name} order by 1") for name in COLLECTIONS}


def rerun_mongo_and_check(db_url, snapshot: Path, ids: dict[str, set[str]]):
    land.land("mongo", str(snapshot), "run-rerun", db_url)
    for name in COLLECTIONS:
        rows = fetch(db_url, f"select _id from raw_mongo.{name}")
        assert len(rows) == len(ids[name]) and {r[0] for r in rows} == ids[name], name  # exact, key-unique
    assert ledger(db_url, "run-rerun") == [(name, len(ids[name]), len(ids[name])) for name in sorted(COLLECTIONS)]
    assert fetch(db_url, "select count(*) from raw_mongo.profiles where (document->>'edited')::boolean") == [(10,)]
    assert fetch(db_url, "select count(*) from migration.count_ledger where run_id = 'run-killed'") == [(0,)]


def test_mongo_snapshot_landing_killed_while_converting_then_rerun_is_exact(db_url, tmp_path):
    a_ids, b_ids = two_mongo_snapshots(tmp_path, large=16_000)
    assert (tmp_path / "B" / "mongo" / "attendance.bson").stat().st_size > 4 * 2**20
    land.land("mongo", str(tmp_path / "A"), "run-first", db_url)
    before = mongo_rows(db_url)
    assert {name: {r[0] for r in rows} for name, rows in before.items()} == a_ids

    env = {**os.environ, "DATABASE_URL": db_url, "CUTOVER_MONGO_WORKERS": "2"}
    log = tmp_path / "child.log"
    proc = start_landing("mongo", str(tmp_path / "B"), "run-killed", env, log)
    try:
        wait_for(lambda: conversion_workers(proc.pid), proc, "the conversion workers to start", log)
        sigkill(proc)  # the parent only, as the OOM killer would
    finally:
        reap(proc)
    assert mongo_rows(db_url) == before  # every raw_mongo table is the previous landing, row for row

    rerun_mongo_and_check(db_url, tmp_path / "B", b_ids)


def test_mongo_snapshot_landing_killed_during_its_swap_then_rerun_is_exact(db_url, tmp_path):
    a_ids, b_ids = two_mongo_snapshots(tmp_path)
    land.land("mongo", str(tmp_path / "A"), "run-first", db_url)
    before = mongo_rows(db_url)

    env = {**os.environ, "DATABASE_URL": db_url}
    log = tmp_path / "child.log"
    locker = hold_locks(db_url, [f"raw_mongo.{name}" for name in COLLECTIONS])
    mine = backends(db_url)
    proc = start_landing("mongo", str(tmp_path / "B"), "run-killed", env, log)
    try:
        wait_for(lambda: lock_waiters(db_url, mine), proc, "the replace to wait for the raw tables", log)
        child_sessions = backends(db_url) - mine
        sigkill(proc)
    finally:
        locker.rollback()
        locker.close()
        reap(proc)
    wait_until_gone(db_url, child_sessions)

    after = mongo_rows(db_url)
    for name in COLLECTIONS:
        all_old_or_all_new(after[name], before[name], {(i,) for i in b_ids[name]}, f"raw_mongo.{name}")

    rerun_mongo_and_check(db_url, tmp_path / "B", b_ids)


def test_a_killed_mongo_landing_leaves_no_orphaned_worker_processes(db_url, tmp_path):
    folder = tmp_path / "big"
    write_mongo_snapshot(folder, {"attendance": [document(i, note="x" * 250) for i in range(16_000)]})
    env = {**os.environ, "DATABASE_URL": db_url, "CUTOVER_MONGO_WORKERS": "2"}
    log = tmp_path / "child.log"
    proc = start_landing("mongo", str(folder), "run-killed", env, log)
    try:
        workers = wait_for(lambda: conversion_workers(proc.pid), proc, "the conversion workers to start", log)
        sigkill(proc)
        _, alive = psutil.wait_procs(workers, timeout=3)
        assert alive == [], f"{len(alive)} conversion workers outlived the killed landing"
    finally:
        reap(proc)

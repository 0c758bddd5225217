"""A MongoDB snapshot landing (replace) KILLED while its workers convert the mongodump file and
while its swap waits on a lock, then rerun exactly; its conversion workers die with it. How the
kill is placed: tests/killed_landing.py."""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

import psutil

from pipelines import land
from pipelines.mongo.collections import COLLECTIONS
from tests.killed_landing import (
    start_landing, wait_for, sigkill, reap, conversion_workers, fetch, backends, kill_while_its_load_waits,
    hold_locks, ledger, all_old_or_all_new, UTC,
)


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
    kill_while_its_load_waits(db_url, proc, locker, mine, log, "the replace to wait for the raw tables")

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

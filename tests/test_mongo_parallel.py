"""Large BSON snapshot files converted by worker processes land exactly what the in-process path
lands, in file order, and a malformed document still names the file and the document."""

from __future__ import annotations

import datetime as dt

import pytest

from pipelines.mongo import parallel
from tests.test_mongo_snapshot import (
    MALFORMED_BSON, _bson, _good_then_bad, far_future_bson, malformed_bson, rich_document, write_manifest,
)
from tests.test_mongo_source import fetch, land

UTC = dt.timezone.utc


@pytest.fixture
def every_file_parallel(monkeypatch):
    monkeypatch.setattr(parallel, "PARALLEL_MIN_BYTES", 0)
    monkeypatch.setenv("CUTOVER_MONGO_WORKERS", "2")
    yield
    parallel.shutdown()


def _snapshot(folder):
    from bson import ObjectId

    (folder / "mongo").mkdir(parents=True)
    documents = [_bson({"_id": ObjectId(f"{i:024x}"), "n": i, "createdAt": dt.datetime(2024, 1, 1 + i % 28, tzinfo=UTC)})
                 for i in range(1, 60)]
    documents.insert(30, _bson(rich_document()))
    documents.insert(45, far_future_bson({"_id": ObjectId(f"{999:024x}"), "n": 999}, "createdAt"))
    (folder / "mongo" / "profiles.bson").write_bytes(b"".join(documents))
    write_manifest(folder, {"profiles": len(documents)})
    return len(documents)


def _raw(db_url):
    return fetch(db_url, "select _id, created_at, updated_at, document, bson_flags from raw_mongo.profiles order by _id")


def test_workers_land_the_same_rows_as_the_main_process(db_url, tmp_path, monkeypatch, every_file_parallel):
    from pipelines.mongo.source import mongo_source

    n = _snapshot(tmp_path / "snap")
    assert parallel.worth_it(tmp_path / "snap" / "mongo" / "profiles.bson")
    land(mongo_source(snapshot_dir=str(tmp_path / "snap"), batch_size=7), db_url, tmp_path)
    by_workers = _raw(db_url)
    assert parallel._pool is not None  # the workers did the conversion

    monkeypatch.setenv("CUTOVER_MONGO_WORKERS", "1")
    assert not parallel.worth_it(tmp_path / "snap" / "mongo" / "profiles.bson")
    land(mongo_source(snapshot_dir=str(tmp_path / "snap"), batch_size=7), db_url, tmp_path)
    in_process = _raw(db_url)

    assert len(by_workers) == n and by_workers == in_process
    flagged = [row for row in by_workers if row[4]]
    assert [(row[0], row[4]) for row in flagged] == [(f"{999:024x}", ["createdAt"]), ("65f1a2b3c4d5e6f708192a3b", ["text"])]


def test_chunks_come_back_in_file_order():
    from bson import ObjectId

    data = _bson(*({"_id": ObjectId(f"{i:024x}"), "n": i} for i in range(1, 26)))
    chunks = list(parallel.chunks_of(data, 4))
    assert [first for first, _ in chunks] == [1, 5, 9, 13, 17, 21, 25]
    assert b"".join(part for _, part in chunks) == data


@pytest.mark.parametrize("case", MALFORMED_BSON)
def test_a_malformed_document_names_file_and_document_from_a_worker(db_url, tmp_path, case, every_file_parallel):
    message, path = _good_then_bad(tmp_path, db_url, "profiles.bson", malformed_bson(case))
    assert str(path) in message and "document 3" in message


def test_a_bad_worker_setting_is_named(monkeypatch):
    from pipelines.errors import CutoverError

    monkeypatch.setenv("CUTOVER_MONGO_WORKERS", "many")
    with pytest.raises(CutoverError, match="CUTOVER_MONGO_WORKERS"):
        parallel.workers()


def test_a_landing_stops_its_conversion_workers_when_it_ends(db_url, tmp_path, every_file_parallel):
    from pipelines import land

    _snapshot(tmp_path / "snap")
    land.run_source("mongo", str(tmp_path / "snap"), db_url)
    assert parallel._pool is None  # started for profiles.bson, shut down by the landing's end
    assert fetch(db_url, "select count(*) from raw_mongo.profiles")[0][0] == 61

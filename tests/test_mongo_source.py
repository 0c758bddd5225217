"""MongoDB landing into raw_mongo: live through mongomock, snapshots as real BSON and mongoexport
JSON, against a real PostgreSQL through a real dlt pipeline."""

from __future__ import annotations

import datetime as dt
import json
import uuid

import pytest

from pipelines.errors import CutoverError
from pipelines.mongo.collections import COLLECTIONS

UTC = dt.timezone.utc


def land(source, db_url, tmp_path, dataset="raw_mongo"):
    import dlt

    from pipelines.database import dlt_credentials

    pipeline = dlt.pipeline(
        pipeline_name=f"mongo_{uuid.uuid4().hex[:8]}",
        destination=dlt.destinations.postgres(credentials=dlt_credentials(db_url)),
        dataset_name=dataset,
        pipelines_dir=str(tmp_path / "dlt"),
    )
    return pipeline.run(source, loader_file_format="csv")


def fetch(db_url, sql, params=None):
    from pipelines.database import connect

    with connect(db_url) as conn:
        return conn.execute(sql, params or {}).fetchall()


def cutover_error(exc: BaseException) -> CutoverError | None:
    """The CutoverError somewhere in the chain dlt wrapped around it."""
    seen = set()
    while exc is not None and id(exc) not in seen:
        if isinstance(exc, CutoverError):
            return exc
        seen.add(id(exc))
        exc = exc.__cause__ or exc.__context__
    return None


def sample_documents(collection: str, n: int) -> list[dict]:
    from bson import ObjectId

    base = dt.datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
    return [
        {"_id": ObjectId(), "createdAt": base + dt.timedelta(minutes=i), "updatedAt": base + dt.timedelta(hours=i),
         "name": f"{collection}-{i}", "tags": ["a", "b"], "nested": {"k": i}}
        for i in range(n)
    ]


# ---------------------------------------------------------------- live (mongomock)

@pytest.mark.parametrize("size", [0, 3, 12])
def test_live_lands_every_collection_with_counts(db_url, tmp_path, monkeypatch, size):
    import mongomock

    from pipelines.mongo.source import mongo_source, source_counts

    monkeypatch.setenv("MONGO_DB", "hm_test")
    client = mongomock.MongoClient()
    expected = {}
    for i, name in enumerate(COLLECTIONS):
        docs = sample_documents(name, size + i)
        if docs:
            client["hm_test"][name].insert_many(docs)
        expected[name] = size + i
    # a document without timestamps lands with null created_at/updated_at
    client["hm_test"]["badges"].insert_one({"name": "no dates"})
    expected["badges"] += 1

    land(mongo_source(client=client, batch_size=4), db_url, tmp_path)

    for name in COLLECTIONS:
        rows = fetch(db_url, f"select count(*), count(distinct _id) from raw_mongo.{name}")
        assert rows[0] == (expected[name], expected[name]), name
    assert source_counts(None, client=client) == expected
    row = fetch(db_url, "select created_at, updated_at, document->>'name', document->'_id'->>'$oid' = _id, "
                        "document->'createdAt'->>'$date', _dlt_load_id is not null "
                        "from raw_mongo.events where document->>'name' = 'events-1'")[0]
    assert row[0] == dt.datetime(2024, 5, 1, 12, 1, tzinfo=UTC)
    assert row[1] == dt.datetime(2024, 5, 1, 13, 0, tzinfo=UTC)
    assert row[2:] == ("events-1", True, "2024-05-01T12:01:00.000Z", True)
    assert fetch(db_url, "select created_at, updated_at from raw_mongo.badges where document->>'name' = 'no dates'") == [(None, None)]


def test_live_rerun_replaces_without_duplicates(db_url, tmp_path, monkeypatch):
    import mongomock

    from pipelines.mongo.source import mongo_source

    monkeypatch.setenv("MONGO_DB", "hm_test")
    client = mongomock.MongoClient()
    client["hm_test"]["profiles"].insert_many(sample_documents("profiles", 5))
    land(mongo_source(client=client), db_url, tmp_path)
    client["hm_test"]["profiles"].delete_one({"name": "profiles-0"})
    land(mongo_source(client=client), db_url, tmp_path)
    assert fetch(db_url, "select count(*) from raw_mongo.profiles") == [(4,)]


def test_live_without_mongo_uri_names_the_setting(monkeypatch):
    from pipelines.mongo.source import mongo_source

    monkeypatch.delenv("MONGO_URI", raising=False)
    with pytest.raises(CutoverError, match="MONGO_URI"):
        mongo_source()


def test_live_snapshot_write_round_trips(db_url, tmp_path, monkeypatch):
    import mongomock

    from pipelines.mongo import snapshot
    from pipelines.mongo.source import mongo_source, source_counts

    monkeypatch.setenv("MONGO_DB", "hm_test")
    client = mongomock.MongoClient()
    client["hm_test"]["events"].insert_many(sample_documents("events", 7))
    client["hm_test"]["surveys"].insert_many(sample_documents("surveys", 2))
    counts = snapshot.write(tmp_path / "snap", client=client)
    assert counts["events"] == 7 and counts["surveys"] == 2 and counts["profiles"] == 0
    assert set(counts) == set(COLLECTIONS)
    manifest = {"captured_at": "2024-06-01T00:00:00Z", "counts": {f"mongo.{k}": v for k, v in counts.items()}}
    (tmp_path / "snap" / "manifest.json").write_text(json.dumps(manifest))
    land(mongo_source(snapshot_dir=str(tmp_path / "snap")), db_url, tmp_path)
    assert fetch(db_url, "select count(*) from raw_mongo.events") == [(7,)]
    assert source_counts(str(tmp_path / "snap"))["events"] == 7


def test_unreachable_mongo_is_one_sentence_without_the_password(db_url, tmp_path, monkeypatch):
    import socket

    from pipelines.mongo.source import mongo_source

    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.setenv("MONGO_URI", f"mongodb://app:s3cret-pw@127.0.0.1:{port}/?directConnection=true")
    monkeypatch.setenv("MONGO_TIMEOUT_MS", "300")
    with pytest.raises(Exception) as raised:
        land(mongo_source(), db_url, tmp_path)
    error = cutover_error(raised.value)
    assert error is not None and "MONGO_URI" in str(error) and "profiles" in str(error)
    assert "s3cret-pw" not in str(error)

"""MongoDB snapshots: real mongodump BSON (every BSON type SPEC §2.2 names, a date beyond year
9999) and mongoexport Extended JSON, landed through dlt into a real PostgreSQL; bad files name
themselves."""

from __future__ import annotations

import datetime as dt
import json
import struct
from decimal import Decimal

import pytest

from pipelines.errors import CutoverError
from pipelines.mongo.collections import COLLECTIONS
from tests.test_mongo_source import cutover_error, fetch, land

UTC = dt.timezone.utc
OID = "65f1a2b3c4d5e6f708192a3b"
BEYOND_9999_MS = 253402300800000 + 86_400_000 * 400  # year 10001


def write_manifest(folder, counts):
    (folder / "manifest.json").write_text(json.dumps(
        {"captured_at": "2024-06-01T00:00:00Z", "counts": {f"mongo.{k}": v for k, v in counts.items()}}))


def rich_document():
    from bson import Binary, Decimal128, Int64, ObjectId

    return {
        "_id": ObjectId(OID),
        "createdAt": dt.datetime(2024, 1, 2, 3, 4, 5, 678000, tzinfo=UTC),
        "updatedAt": dt.datetime(2024, 2, 2, tzinfo=UTC),
        "price": Decimal128(Decimal("12345678901234567890.123456789")),
        "big": Int64(9_007_199_254_740_993),  # not representable as a double
        "blob": Binary(b"\x00\x01\xffhello", 0),
        "uuid": Binary(b"0123456789abcdef", 4),
        "memberId": ObjectId("65f1a2b3c4d5e6f708192a3c"),
        "location": {"type": "venue", "geo": {"lat": 25.77, "lng": -80.19}, "tags": ["a", {"deep": [1, 2]}]},
        "skills": ["python", "sql"],
        "text": "nul\x00inside",
    }


def write_bson(path, documents, raw_tail: bytes = b""):
    import bson

    with open(path, "wb") as handle:
        for document in documents:
            handle.write(bson.encode(document))
        handle.write(raw_tail)


def far_future_bson(document: dict, field: str) -> bytes:
    """BSON of `document` with `field` set to a UTC datetime Python cannot represent."""
    import bson

    return bson.encode({**document, field: bson.DatetimeMS(BEYOND_9999_MS)})


def test_bson_snapshot_keeps_every_type_and_flags_out_of_range_dates(db_url, tmp_path):
    from bson import ObjectId

    from pipelines.mongo.source import mongo_source, source_counts

    folder = tmp_path / "snap"
    (folder / "mongo").mkdir(parents=True)
    write_bson(folder / "mongo" / "profiles.bson", [rich_document()])
    with open(folder / "mongo" / "events.bson", "wb") as handle:
        handle.write(far_future_bson({"_id": ObjectId(), "name": "far", "startAt": dt.datetime(2024, 5, 1, tzinfo=UTC)},
                                     "createdAt"))
        handle.write(far_future_bson({"_id": ObjectId(), "name": "far end", "createdAt": dt.datetime(2024, 5, 1, tzinfo=UTC),
                                      "nested": {"when": [1]}}, "endAt"))
    write_manifest(folder, {"profiles": 1, "events": 2})

    land(mongo_source(snapshot_dir=str(folder)), db_url, tmp_path)

    (row,) = fetch(db_url, "select _id, created_at, updated_at, document, bson_flags from raw_mongo.profiles")
    assert row[0] == OID
    assert row[1] == dt.datetime(2024, 1, 2, 3, 4, 5, 678000, tzinfo=UTC)
    doc = row[3]
    assert doc["_id"] == {"$oid": OID}
    assert doc["createdAt"] == {"$date": "2024-01-02T03:04:05.678Z"}
    assert doc["price"] == {"$numberDecimal": "12345678901234567890.123456789"}
    assert doc["memberId"] == {"$oid": "65f1a2b3c4d5e6f708192a3c"}
    assert doc["blob"] == {"$binary": {"base64": "AAH/aGVsbG8=", "subType": "00"}}
    assert doc["uuid"]["$binary"]["subType"] == "04"
    assert doc["location"]["tags"][1] == {"deep": [1, 2]} and doc["skills"] == ["python", "sql"]
    assert doc["text"] == "nul\ufffdinside" and row[4] == ["text"]  # jsonb cannot hold NUL: kept, flagged
    # Int64 beyond 2^53 and the decimal keep every digit in jsonb
    assert fetch(db_url, "select document->>'big', (document->'price'->>'$numberDecimal')::numeric "
                         "from raw_mongo.profiles") == [("9007199254740993", Decimal("12345678901234567890.123456789"))]

    events = {r[0]: r[1:] for r in fetch(db_url, "select document->>'name', created_at, document, bson_flags from raw_mongo.events")}
    created_at, document, flags = events["far"]
    assert created_at is None and flags == ["createdAt"]
    assert document["createdAt"] == {"$date": {"$numberLong": str(BEYOND_9999_MS)}}
    assert document["startAt"] == {"$date": "2024-05-01T00:00:00.000Z"}
    created_at, document, flags = events["far end"]
    assert created_at == dt.datetime(2024, 5, 1, tzinfo=UTC) and flags == ["endAt"]
    assert source_counts(str(folder))["events"] == 2


@pytest.mark.parametrize("n", [1, 7, 25])
def test_bson_snapshot_in_several_batches_lands_the_manifest_count(db_url, tmp_path, n):
    from bson import ObjectId

    from pipelines.mongo.source import mongo_source, source_counts

    folder = tmp_path / "snap"
    (folder / "mongo").mkdir(parents=True)
    expected = {}
    for i, name in enumerate(COLLECTIONS):
        docs = [{"_id": ObjectId(), "n": j, "createdAt": dt.datetime(2024, 1, 1, tzinfo=UTC)} for j in range(n + i)]
        write_bson(folder / "mongo" / f"{name}.bson", docs)
        expected[name] = n + i
    write_manifest(folder, expected)
    land(mongo_source(snapshot_dir=str(folder), batch_size=4), db_url, tmp_path)
    for name in COLLECTIONS:
        assert fetch(db_url, f"select count(*), count(distinct _id) from raw_mongo.{name}") == [(expected[name], expected[name])]
    assert source_counts(str(folder)) == expected


def test_mongoexport_json_snapshot(db_url, tmp_path):
    from pipelines.mongo.source import mongo_source, source_counts

    folder = tmp_path / "snap"
    (folder / "mongo").mkdir(parents=True)
    lines = [
        # relaxed (mongoexport's default) ...
        {"_id": {"$oid": OID}, "lumaEmail": "A@x.org", "createdAt": {"$date": "2024-03-04T05:06:07.089Z"},
         "score": {"$numberDecimal": "0.10"}, "count": 3, "big": {"$numberLong": "9007199254740993"}},
        # ... canonical, and a date beyond 9999
        {"_id": {"$oid": "65f1a2b3c4d5e6f708192a3d"}, "createdAt": {"$date": {"$numberLong": str(BEYOND_9999_MS)}},
         "updatedAt": {"$date": {"$numberLong": "1709528767089"}}, "n": {"$numberInt": "5"}},
    ]
    (folder / "mongo" / "profiles.json").write_text("\n".join(json.dumps(line) for line in lines) + "\n\n")
    land(mongo_source(snapshot_dir=str(folder)), db_url, tmp_path)
    rows = {r[0]: r[1:] for r in fetch(db_url, "select _id, created_at, updated_at, document, bson_flags from raw_mongo.profiles")}
    created, updated, document, flags = rows[OID]
    assert created == dt.datetime(2024, 3, 4, 5, 6, 7, 89000, tzinfo=UTC) and updated is None and flags is None
    assert document["score"] == {"$numberDecimal": "0.10"} and document["big"] == 9007199254740993
    created, updated, document, flags = rows["65f1a2b3c4d5e6f708192a3d"]
    assert created is None and flags == ["createdAt"] and document["n"] == 5
    assert updated == dt.datetime(2024, 3, 4, 5, 6, 7, 89000, tzinfo=UTC)
    # no manifest: the count is what the file holds; collections without a file count 0
    counts = source_counts(str(folder))
    assert counts["profiles"] == 2 and counts["badges"] == 0


def _good_then_bad(tmp_path, db_url, bad_name: str, bad_bytes: bytes):
    """Land a good snapshot, then one whose `bad_name` file is broken; returns the error."""
    from bson import ObjectId

    from pipelines.mongo.source import mongo_source

    good = tmp_path / "good"
    (good / "mongo").mkdir(parents=True)
    write_bson(good / "mongo" / "profiles.bson", [{"_id": ObjectId(), "n": i} for i in range(3)])
    land(mongo_source(snapshot_dir=str(good)), db_url, tmp_path)

    bad = tmp_path / "bad"
    (bad / "mongo").mkdir(parents=True)
    write_bson(bad / "mongo" / "badges.bson", [{"_id": ObjectId()}])
    (bad / "mongo" / bad_name).write_bytes(bad_bytes)
    with pytest.raises(Exception) as raised:
        land(mongo_source(snapshot_dir=str(bad)), db_url, tmp_path)
    assert fetch(db_url, "select count(*) from raw_mongo.profiles") == [(3,)]  # the earlier landing is untouched
    error = cutover_error(raised.value)
    assert error is not None, raised.value
    return str(error), bad / "mongo" / bad_name


def _bson(*docs) -> bytes:
    import bson

    return b"".join(bson.encode(d) for d in docs)


MALFORMED_BSON = ["truncated", "garbage size", "bad element type"]


def malformed_bson(case: str) -> bytes:
    """Two good documents, then a third that is broken the way `case` says."""
    from bson import ObjectId

    good = _bson({"_id": ObjectId(), "a": 1}, {"_id": ObjectId(), "a": 2})
    third = bytearray(_bson({"_id": ObjectId(), "a": 3}))
    if case == "truncated":
        return good + bytes(third[:-5])
    if case == "garbage size":
        return good + struct.pack("<i", 3) + b"\x00\x00\x00"
    third[4] = 0x77  # no such BSON element type: only decoding finds it
    return good + bytes(third)


@pytest.mark.parametrize("case", MALFORMED_BSON)
def test_malformed_bson_names_file_and_document(db_url, tmp_path, case):
    message, path = _good_then_bad(tmp_path, db_url, "profiles.bson", malformed_bson(case))
    assert str(path) in message and "document 3" in message


@pytest.mark.parametrize("line", ['{"_id": {"$oid": "65f1a2b3c4d5e6f708192a3b"}, "a": ', '[1, 2]', '{"no_id": 1}',
                                  '{"_id": {"$oid": "nothex"}}'])
def test_malformed_json_names_file_and_line(db_url, tmp_path, line):
    content = '{"_id": {"$oid": "65f1a2b3c4d5e6f708192a3c"}}\n\n' + line + "\n"
    message, path = _good_then_bad(tmp_path, db_url, "profiles.json", content.encode())
    assert f"{path}:3" in message


def test_manifest_lists_a_collection_whose_file_is_missing(tmp_path):
    from pipelines.mongo.source import mongo_source

    (tmp_path / "mongo").mkdir()
    write_bson(tmp_path / "mongo" / "profiles.bson", [])
    write_manifest(tmp_path, {"profiles": 0, "surveys": 4})
    with pytest.raises(CutoverError, match=r"mongo\.surveys.*surveys\.bson"):
        mongo_source(snapshot_dir=str(tmp_path))


def test_unlisted_absent_collection_lands_nothing(db_url, tmp_path):
    from bson import ObjectId

    from pipelines.mongo.source import mongo_source

    (tmp_path / "snap" / "mongo").mkdir(parents=True)
    write_bson(tmp_path / "snap" / "mongo" / "profiles.bson", [{"_id": ObjectId()}])
    write_manifest(tmp_path / "snap", {"profiles": 1})
    land(mongo_source(snapshot_dir=str(tmp_path / "snap")), db_url, tmp_path)
    assert fetch(db_url, "select count(*) from raw_mongo.profiles") == [(1,)]
    assert fetch(db_url, "select count(*) from raw_mongo.surveys") == [(0,)]


def test_batches_stream_without_reading_the_whole_collection():
    """An endless collection still yields bounded Arrow batches: nothing waits for the end."""
    import itertools

    from bson import ObjectId

    from pipelines.mongo.source import batches

    pulled = 0

    def endless():
        nonlocal pulled
        for i in itertools.count():
            pulled += 1
            yield {"_id": ObjectId(), "n": i}

    stream = batches(endless(), batch_size=100)
    first, second = next(stream), next(stream)
    assert first.num_rows == second.num_rows == 100
    assert pulled == 200
    assert first.column_names == ["_id", "created_at", "updated_at", "document", "bson_flags"]


@pytest.mark.slow
def test_large_bson_snapshot_lands_in_bounded_batches(db_url, tmp_path):
    """100k documents in one file: streamed in batches, every one landed once."""
    import resource

    import bson
    from bson import ObjectId

    from pipelines.mongo.source import mongo_source

    folder = tmp_path / "snap"
    (folder / "mongo").mkdir(parents=True)
    n = 100_000
    with open(folder / "mongo" / "attendance.bson", "wb") as handle:
        for i in range(n):
            handle.write(bson.encode({"_id": ObjectId(), "memberId": ObjectId(), "lumaEventId": f"evt-{i % 300}",
                                      "status": "registered", "createdAt": dt.datetime(2024, 1, 1, tzinfo=UTC),
                                      "note": "x" * 500}))
    write_manifest(folder, {"attendance": n})
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    land(mongo_source(snapshot_dir=str(folder)), db_url, tmp_path)
    grown_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert fetch(db_url, "select count(*), count(distinct _id) from raw_mongo.attendance") == [(n, n)]
    assert grown_mb < 300, f"peak memory grew {grown_mb:.0f} MB for a ~60 MB file"

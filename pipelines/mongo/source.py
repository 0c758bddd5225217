"""`mongo_source()`: Hello Miami's eleven MongoDB collections as one dlt source for `raw_mongo`.

Each collection is one resource and one table of the same name with the columns
`_id` (ObjectId hex, primary key), `created_at`, `updated_at` (timestamptz; null when the field is
absent or out of range), `document` (jsonb, Extended JSON v2 relaxed, see `extjson`) and
`bson_flags` (jsonb list of paths of values kept but flagged; null when none).

Decisions:
- Documents are converted in batches of `batch_size` into Arrow tables, which dlt writes as CSV
  and PostgreSQL reads with COPY; only one batch is held at a time (a few per worker for a large
  snapshot file, which worker processes convert: see `parallel`).
- Write disposition `replace`: a landing is a full image of the collection, so a rerun leaves no
  duplicates and a document deleted at the source disappears from raw too. dlt replaces the table
  only after the whole extraction succeeded, so a malformed file leaves the previous raw data.
- Arrow items get `_dlt_load_id`/`_dlt_id` only when dlt's parquet normalizer is told so; the
  source sets `NORMALIZE__PARQUET_NORMALIZER__ADD_DLT_LOAD_ID`/`__ADD_DLT_ID=true` (unless already
  set, as pipelines/land.py does too) so raw_mongo carries both like the other raw schemas.
- Errors a caller must see before dlt starts (missing MONGO_URI, a collection the manifest lists
  whose file is missing) are raised by `mongo_source()` itself; a malformed document is raised
  during extraction and reaches the caller wrapped by dlt (the CutoverError is in the exception's
  `__cause__`/`__context__` chain).
"""

from __future__ import annotations

import os
from typing import Any, Iterator

from pipelines.errors import CutoverError
from pipelines.mongo import parallel, readers
from pipelines.mongo.arrow import batches
from pipelines.mongo.collections import COLLECTIONS

DEFAULT_BATCH_SIZE = 5000
# reloaded whole each run; pipelines/land.py commits every collection's table at once
WRITE_DISPOSITION = "replace"

COLUMNS = {
    "_id": {"data_type": "text", "nullable": False, "primary_key": True},
    "created_at": {"data_type": "timestamp", "timezone": True, "nullable": True},
    "updated_at": {"data_type": "timestamp", "timezone": True, "nullable": True},
    "document": {"data_type": "json", "nullable": False},
    "bson_flags": {"data_type": "json", "nullable": True},
}

# Counts of the documents each live resource yielded in this process (see source_counts()).
_LIVE_COUNTS: dict[str, int] = {}


def mongo_source(snapshot_dir: str | None = None, client: Any = None, batch_size: int = DEFAULT_BATCH_SIZE):
    """The dlt source of all eleven collections (dataset `raw_mongo`).

    snapshot_dir: read `<dir>/mongo/<collection>.bson|.json`; None: live MongoClient(MONGO_URI),
    database MONGO_DB (default hello_miami). client: a ready client (tests pass mongomock's).
    """
    import dlt

    os.environ.setdefault("NORMALIZE__PARQUET_NORMALIZER__ADD_DLT_LOAD_ID", "true")
    os.environ.setdefault("NORMALIZE__PARQUET_NORMALIZER__ADD_DLT_ID", "true")

    if snapshot_dir is not None:
        listed = readers.manifest_counts(snapshot_dir, "mongo")
        files = {name: readers.snapshot_file(snapshot_dir, name) for name in COLLECTIONS}
        missing = [name for name in COLLECTIONS if files[name] is None and name in listed]
        if missing:
            raise CutoverError(
                f"The snapshot manifest lists mongo.{missing[0]} but {snapshot_dir}/mongo/{missing[0]}.bson "
                f"(or .json) is missing."
            )

        def documents(name: str) -> Iterator[dict]:
            return readers.read_snapshot(files[name]) if files[name] else iter(())

        def tables(name: str) -> Iterator[Any]:
            if files[name] is not None and parallel.worth_it(files[name]):
                return parallel.arrow_tables(files[name], batch_size)
            return batches(documents(name), batch_size, None, name)

        counter = None
    else:
        database = readers.live_database(client)
        _LIVE_COUNTS.clear()
        counter = _LIVE_COUNTS

        def documents(name: str) -> Iterator[dict]:
            return readers.read_live(database, name, batch_size)

        def tables(name: str) -> Iterator[Any]:
            return batches(documents(name), batch_size, counter, name)

    def make_resource(name: str):
        def rows() -> Iterator[Any]:
            yield from tables(name)

        return dlt.resource(rows, name=name, table_name=name, primary_key="_id",
                            write_disposition=WRITE_DISPOSITION, columns=COLUMNS)

    @dlt.source(name="mongo", max_table_nesting=0)
    def mongo():
        return [make_resource(name) for name in COLLECTIONS]

    return mongo()


def after_landing() -> None:
    """Called by pipelines/land.py when a landing ends, however it ends: stop the worker processes
    that converted large snapshot files (they would otherwise idle until the process exits)."""
    parallel.shutdown()


def source_counts(snapshot_dir: str | None, client: Any = None) -> dict[str, int]:
    """The count the source reports per collection, keyed by collection (= raw table) name.

    Snapshot: the manifest's `mongo.<collection>` counts; a collection the manifest does not list
    is counted in its file (0 when it has none). Live: the number of documents the last live
    extraction in this process listed per collection (call after the pipeline ran); collections not
    extracted yet are asked with `count_documents({})`.
    """
    if snapshot_dir is not None:
        counts = readers.manifest_counts(snapshot_dir, "mongo")
        result = {}
        for name in COLLECTIONS:
            if name in counts:
                result[name] = counts[name]
            else:
                path = readers.snapshot_file(snapshot_dir, name)
                result[name] = sum(1 for _ in readers.read_snapshot(path)) if path else 0
        return result
    result = {name: _LIVE_COUNTS[name] for name in COLLECTIONS if name in _LIVE_COUNTS}
    if len(result) < len(COLLECTIONS):
        database = readers.live_database(client)
        for name in COLLECTIONS:
            if name not in result:
                result[name] = database.get_collection(name).count_documents({})
    return result

"""Decoded MongoDB documents as Arrow tables of raw rows (the columns `source` documents).

Its own module because both the source (in this process) and the conversion workers (`parallel`,
in spawned processes) convert with it: neither has to import the other.
"""

from __future__ import annotations

from typing import Any, Iterator

from pipelines.mongo.extjson import id_text, timestamp, to_relaxed_json


def _arrow_schema():
    import pyarrow as pa

    return pa.schema([
        pa.field("_id", pa.string(), nullable=False),
        ("created_at", pa.timestamp("us", tz="UTC")),
        ("updated_at", pa.timestamp("us", tz="UTC")),
        pa.field("document", pa.string(), nullable=False),
        ("bson_flags", pa.string()),
    ])


def to_arrow(documents: list[dict]):
    """One Arrow table of raw rows from decoded documents."""
    import json

    import pyarrow as pa

    ids, created, updated, texts, flags = [], [], [], [], []
    for document in documents:
        text, flagged = to_relaxed_json(document)
        ids.append(id_text(document["_id"]))
        created.append(timestamp(document.get("createdAt")))
        updated.append(timestamp(document.get("updatedAt")))
        texts.append(text)
        flags.append(json.dumps(flagged) if flagged else None)
    return pa.Table.from_arrays(
        [pa.array(ids, pa.string()), pa.array(created, pa.timestamp("us", tz="UTC")),
         pa.array(updated, pa.timestamp("us", tz="UTC")), pa.array(texts, pa.string()),
         pa.array(flags, pa.string())],
        schema=_arrow_schema(),
    )


def batches(documents: Iterator[dict], batch_size: int, counter: dict[str, int] | None = None,
            name: str = "") -> Iterator[Any]:
    """Arrow tables of at most `batch_size` rows; `counter[name]` holds the documents seen so far."""
    pending: list[dict] = []
    seen = 0
    for document in documents:
        pending.append(document)
        if len(pending) >= batch_size:
            seen += len(pending)
            yield to_arrow(pending)
            pending = []
    if pending or not seen:
        # an empty collection still yields one (empty) table so raw_mongo.<collection> exists
        seen += len(pending)
        yield to_arrow(pending)
    if counter is not None:
        counter[name] = seen

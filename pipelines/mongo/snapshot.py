"""Capture the live MongoDB into the snapshot layout of SPEC §2.4: `mongo/<collection>.bson`.

The files are mongodump's format (BSON documents back to back), so `mongorestore` can read them
and `mongo_source(snapshot_dir=...)` lands them exactly like the live database. Each file is
written under a temporary name and renamed when complete, so an interrupted capture never leaves
a short file that looks whole.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from pipelines.mongo import readers
from pipelines.mongo.collections import COLLECTIONS


def check(client: Any = None, **_) -> None:
    """Raises MissingSetting when MONGO_URI is not set and no client is given (before anything is read)."""
    if client is None:
        readers.mongo_uri()


def write(out_dir: str | os.PathLike, client: Any = None, batch_size: int = 5000) -> dict[str, int]:
    """Dump every collection; returns `{collection: documents written}`
    (pipelines.snapshot prefixes `mongo.` for the manifest)."""
    import bson

    database = readers.live_database(client)
    folder = Path(out_dir) / "mongo"
    folder.mkdir(parents=True, exist_ok=True)
    counts: dict[str, int] = {}
    options = readers.codec_options()
    for name in COLLECTIONS:
        target = folder / f"{name}.bson"
        partial = folder / f".{name}.bson.partial"
        written = 0
        with open(partial, "wb") as handle:
            for document in readers.read_live(database, name, batch_size):
                handle.write(bson.encode(document, codec_options=options))
                written += 1
        partial.replace(target)
        counts[name] = written
    return counts

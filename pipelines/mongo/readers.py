"""Where MongoDB documents come from: a live database, a mongodump `.bson` file or a mongoexport
`.json` file. Each reader yields decoded documents one at a time (never a whole collection) and
turns a malformed document into one CutoverError sentence naming the file and the document.

Decoding keeps datetimes UTC (naive, see codec_options) and uses
`DatetimeConversion.DATETIME_AUTO`, so a date Python cannot represent (year > 9999 or < 1) comes
back as `bson.DatetimeMS` instead of aborting.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any, Iterator

from pipelines.errors import CutoverError
from pipelines.settings import MissingSetting

DEFAULT_DB = "hello_miami"


def codec_options():
    """Datetimes decode naive, meaning UTC (BSON dates are UTC milliseconds): every consumer
    (`extjson`, `timestamp`) reads a naive value as UTC. Aware decoding cost 40 % of decoding, as
    pymongo passes each date through Python's astimezone (bench/, 17 -> 10 us a document)."""
    from bson.codec_options import CodecOptions, DatetimeConversion

    return CodecOptions(tz_aware=False, datetime_conversion=DatetimeConversion.DATETIME_AUTO)


def json_options():
    from bson.codec_options import DatetimeConversion
    from bson.json_util import JSONOptions, JSONMode

    return JSONOptions(json_mode=JSONMode.RELAXED, tz_aware=True, tzinfo=dt.timezone.utc,
                       datetime_conversion=DatetimeConversion.DATETIME_AUTO)


def read_bson(path: Path) -> Iterator[dict]:
    """mongodump format: BSON documents back to back."""
    import bson

    with open(path, "rb") as handle:
        yield from checked_documents(bson.decode_file_iter(handle, codec_options()), path)


def checked_documents(documents: Iterator[dict], path: Path, first_number: int = 1) -> Iterator[dict]:
    """Decoded BSON documents with every decoding error, or a document without _id, as one
    sentence naming the file and the document's number in it."""
    number = first_number - 1
    while True:
        number += 1
        try:
            document = next(documents)
        except StopIteration:
            return
        except Exception as exc:  # InvalidBSON, a truncated size prefix, a bad string ...
            raise CutoverError(
                f"{path}: document {number} is not valid BSON ({exc}); re-run mongodump for this collection."
            ) from exc
        if "_id" not in document:
            raise CutoverError(f"{path}: document {number} has no _id; every MongoDB document needs one.")
        yield document


def read_json(path: Path) -> Iterator[dict]:
    """mongoexport format: one Extended JSON document per line (relaxed or canonical)."""
    from bson import json_util

    options = json_options()
    with open(path, encoding="utf-8") as handle:
        for line_number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                document = json_util.loads(line, json_options=options)
            except Exception as exc:
                raise CutoverError(
                    f"{path}:{line_number} is not a valid Extended JSON document ({exc.__class__.__name__}: "
                    f"{str(exc)[:120]}); fix or re-export that line."
                ) from exc
            if not isinstance(document, dict) or "_id" not in document:
                raise CutoverError(f"{path}:{line_number} is not a MongoDB document with an _id.")
            yield document


def snapshot_file(snapshot_dir: str | os.PathLike, collection: str) -> Path | None:
    """The dump file of a collection: `.bson` (mongodump) preferred over `.json` (mongoexport)."""
    folder = Path(snapshot_dir) / "mongo"
    for suffix in (".bson", ".json"):
        path = folder / f"{collection}{suffix}"
        if path.is_file():
            return path
    return None


def read_snapshot(path: Path) -> Iterator[dict]:
    return read_bson(path) if path.suffix == ".bson" else read_json(path)


def manifest_counts(snapshot_dir: str | os.PathLike, source: str) -> dict[str, int]:
    """`{table: count}` for the manifest entries `<source>.<table>` (empty without a manifest)."""
    from pipelines import snapshot

    return snapshot.manifest_counts(snapshot_dir, source)


def live_database(client: Any = None):
    """The Hello Miami database: the injected client (tests: mongomock) or MongoClient(MONGO_URI)."""
    if client is None:
        uri = mongo_uri()
        import pymongo
        from bson.codec_options import DatetimeConversion

        client = pymongo.MongoClient(uri, tz_aware=True, tzinfo=dt.timezone.utc,
                                     datetime_conversion=DatetimeConversion.DATETIME_AUTO,
                                     serverSelectionTimeoutMS=int(os.environ.get("MONGO_TIMEOUT_MS", "15000")))
    return client[_setting("MONGO_DB", "mongo_db") or DEFAULT_DB]


def mongo_uri() -> str:
    """MONGO_URI (environment, then dlt's secrets.toml), or the sentence naming it."""
    uri = _setting("MONGO_URI", "mongo_uri")
    if not uri:
        raise MissingSetting("MONGO_URI", "mongo", "read Hello Miami's MongoDB")
    return uri


def read_live(database: Any, collection: str, batch_size: int) -> Iterator[dict]:
    try:
        try:
            handle = database.get_collection(collection, codec_options=codec_options())
        except NotImplementedError:  # mongomock: no codec options; it has no out-of-range dates either
            handle = database.get_collection(collection)
        yield from handle.find({}, batch_size=batch_size)
    except CutoverError:
        raise
    except Exception as exc:  # pymongo errors: never print the URI, it may hold a password
        raise CutoverError(
            f"MongoDB collection {collection} could not be read ({exc.__class__.__name__}); check MONGO_URI and MONGO_DB."
        ) from exc


def _setting(env_name: str, secret_name: str) -> str | None:
    """Environment first, then dlt's secrets.toml (`mongo_uri = ...`)."""
    value = os.environ.get(env_name, "").strip()
    if value:
        return value
    try:
        import dlt

        secret = dlt.secrets.get(secret_name)
    except Exception:
        return None
    return str(secret).strip() or None if secret else None

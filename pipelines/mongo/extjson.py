"""A decoded BSON document as MongoDB Extended JSON v2 (relaxed) text, plus the paths to flag.

Decisions:
- Relaxed mode as the raw layer contract says: `{"$oid"}`, `{"$date": "ISO"}`,
  `{"$numberDecimal": "exact digits"}`, `{"$binary": {"base64", "subType"}}`; Int32/Int64/double
  as plain JSON numbers (jsonb numerics are exact, so Int64 loses nothing).
- Every date Python can represent is written as an ISO string with milliseconds and `Z` (also
  before 1970, where the relaxed spec would use `$numberLong`: one shape is easier for the SQL
  models to read). A date Python cannot represent arrives as `bson.DatetimeMS` (decoded with
  `DatetimeConversion.DATETIME_AUTO`) and is kept as `{"$date": {"$numberLong": "<ms>"}}` and its
  path is flagged.
- PostgreSQL's jsonb cannot hold NUL characters or NaN/Infinity numbers: a NUL inside a string
  becomes U+FFFD and a non-finite double becomes `{"$numberDouble": "NaN"}`, each flagged, so
  the load never aborts and the change is visible.
- Fast path: the C JSON encoder with a `default` hook for the BSON types. Only when that hook
  meets something to flag (rare) is the document walked in Python to find the paths.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import math
from typing import Any

import bson
from bson import json_util
from bson.decimal128 import Decimal128
from bson.objectid import ObjectId

_RELAXED = json_util.RELAXED_JSON_OPTIONS
_NUL = "\x00"


class _NeedsWalk(Exception):
    """Raised by the fast path when the document holds a value to flag."""


def _iso(value: dt.datetime) -> str:
    if value.tzinfo is not None:  # live documents of a client decoding aware datetimes
        value = value.astimezone(dt.timezone.utc).replace(tzinfo=None)
    if value.year >= 1000:
        return value.isoformat(timespec="milliseconds") + "Z"
    # isoformat does not pad years below 1000 the same way everywhere; keep four digits explicit
    return f"{value.year:04d}" + value.isoformat(timespec="milliseconds")[4:] + "Z"


def _binary(value: bytes, subtype: int) -> dict:
    return {"$binary": {"base64": base64.b64encode(value).decode("ascii"), "subType": f"{subtype:02x}"}}


def _needs_walk(value: Any) -> Any:
    raise _NeedsWalk


# Exact-type dispatch first (one dict lookup per value), isinstance chain for subclasses and the rest.
_BY_TYPE = {
    ObjectId: lambda v: {"$oid": str(v)},
    dt.datetime: lambda v: {"$date": _iso(v)},
    Decimal128: lambda v: {"$numberDecimal": str(v)},
    bson.Binary: lambda v: _binary(bytes(v), v.subtype),
    bytes: lambda v: _binary(v, 0),
    bson.DatetimeMS: _needs_walk,
}


def _scalar(value: Any) -> Any:
    """The Extended JSON form of one non-JSON BSON value (no flag needed)."""
    convert = _BY_TYPE.get(type(value))
    if convert is not None:
        return convert(value)
    if isinstance(value, ObjectId):
        return {"$oid": str(value)}
    if isinstance(value, dt.datetime):
        return {"$date": _iso(value)}
    if isinstance(value, Decimal128):
        return {"$numberDecimal": str(value)}
    if isinstance(value, bson.Binary):
        return _binary(bytes(value), value.subtype)
    if isinstance(value, bytes):
        return _binary(value, 0)
    if isinstance(value, bson.DatetimeMS):
        raise _NeedsWalk
    # Timestamp, Regex, Code, MinKey, MaxKey, DBRef, UUID ...: pymongo knows their relaxed form.
    return json_util.default(value, _RELAXED)


# One encoder for every document: json.dumps would build a new one per call.
_FAST = json.JSONEncoder(default=_scalar, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
_PLAIN = json.JSONEncoder(ensure_ascii=False, allow_nan=False, separators=(",", ":"))


def _walk(value: Any, path: str, flags: list[str]) -> Any:
    if isinstance(value, dict):
        return {k: _walk(v, f"{path}.{k}" if path else str(k), flags) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_walk(v, f"{path}.{i}" if path else str(i), flags) for i, v in enumerate(value)]
    if isinstance(value, str):
        if _NUL in value:
            flags.append(path)
            return value.replace(_NUL, "\ufffd")
        return value
    if isinstance(value, bool) or value is None or isinstance(value, int):
        return value
    if isinstance(value, float):
        if math.isfinite(value):
            return value
        flags.append(path)
        return {"$numberDouble": str(value).replace("inf", "Infinity").replace("nan", "NaN")}
    if isinstance(value, bson.DatetimeMS):
        flags.append(path)
        return {"$date": {"$numberLong": str(int(value))}}
    return _scalar(value)


def to_relaxed_json(document: dict) -> tuple[str, list[str]]:
    """(Extended JSON text of the document, paths of values kept but flagged)."""
    try:
        text = _FAST.encode(document)
        if "\\u0000" not in text:
            return text, []
    except (_NeedsWalk, ValueError):
        pass
    flags: list[str] = []
    text = _PLAIN.encode(_walk(document, "", flags))
    return text, flags


def timestamp(value: Any) -> dt.datetime | None:
    """A timezone-aware UTC datetime for the timestamp columns, or None when absent/out of range."""
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=dt.timezone.utc)
    return None


def id_text(value: Any) -> str:
    """The `_id` column: ObjectId hex; any other _id type as its Extended JSON text."""
    if isinstance(value, ObjectId):
        return str(value)
    if isinstance(value, str):
        return value
    return json.dumps(_walk(value, "_id", []), separators=(",", ":"))

"""Luma list entries in either shape (SPEC §2.3; the fields the SQL mapping reads: pipelines/registry.py).

Wrapped: `{"api_id": …, "event": {…}}` / `{"api_id": …, "guest": {…}}`; flat: the object itself
with `api_id` or `id`. The raw row keeps the entry exactly as received (`record`); only the key
and timestamps are lifted into columns.
"""

from __future__ import annotations

import datetime as dt
from typing import Any


def inner(entry: dict, kind: str) -> dict:
    """The event/guest object of an entry (`kind` = "event" or "guest")."""
    wrapped = entry.get(kind)
    return wrapped if isinstance(wrapped, dict) else entry


def api_id(entry: dict, kind: str) -> str | None:
    obj = inner(entry, kind)
    value = entry.get("api_id") or obj.get("api_id") or obj.get("id") or entry.get("id")
    return str(value) if value else None


def parse_time(value: Any) -> dt.datetime | None:
    """An ISO-8601 timestamp as aware UTC, or None when absent or unreadable."""
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return (parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.timezone.utc)).astimezone(dt.timezone.utc)


def iso(value: Any) -> str | None:
    """A window bound (datetime or ISO string) as the ISO-8601 string Luma expects."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        value = value if value.tzinfo else value.replace(tzinfo=dt.timezone.utc)
        return value.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
    return str(value)


def event_row(entry: dict) -> dict:
    event = inner(entry, "event")
    return {"api_id": api_id(entry, "event"), "start_at": parse_time(event.get("start_at")),
            "updated_at": parse_time(event.get("updated_at")), "record": entry}


def guest_row(entry: dict, event_api_id: str) -> dict:
    return {"event_api_id": event_api_id, "api_id": api_id(entry, "guest"), "record": entry}


def in_window(start_at: dt.datetime | None, window_start: Any, window_end: Any) -> bool:
    """Snapshot mode applies the same window on start_at that the stand-in and Luma apply."""
    lower, upper = parse_time(iso(window_start)), parse_time(iso(window_end))
    if start_at is None:
        return lower is None and upper is None
    return (lower is None or start_at >= lower) and (upper is None or start_at <= upper)

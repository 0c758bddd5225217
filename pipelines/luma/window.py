"""The sync window (SPEC §2.3): the Luma events the scheduled sync lists, by start_at. Here rather
than in assets/sync/ because the change markers of a live dry-run (pipelines/markers.py) check
exactly the events the sync would carry."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from pipelines.errors import CutoverError


@dataclass
class Window:
    start: datetime
    end: datetime


def _days(name: str, default: float) -> float:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        return float(raw)
    except ValueError as exc:
        raise CutoverError(f"{name}={raw!r} is not a number of days.") from exc


def _when(value: str, setting: str) -> datetime:
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as exc:
        raise CutoverError(f"{setting}={value!r} is not an ISO-8601 date-time.") from exc
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def window(now: datetime | None = None, days_back: float | None = None, days_ahead: float | None = None,
           start: str | None = None, end: str | None = None) -> Window:
    """Explicit start/end win; else now - days_back .. now + days_ahead, the days from run config or
    CUTOVER_SYNC_DAYS_BACK / CUTOVER_SYNC_DAYS_AHEAD (defaults 2 and 60)."""
    now = now or datetime.now(timezone.utc)
    back = days_back if days_back is not None else _days("CUTOVER_SYNC_DAYS_BACK", 2)
    ahead = days_ahead if days_ahead is not None else _days("CUTOVER_SYNC_DAYS_AHEAD", 60)
    w = Window(
        start=_when(start, "window_start") if start else now - timedelta(days=back),
        end=_when(end, "window_end") if end else now + timedelta(days=ahead),
    )
    if w.end <= w.start:
        raise CutoverError(f"the sync window ends ({w.end.isoformat()}) before it starts ({w.start.isoformat()}): check CUTOVER_SYNC_DAYS_BACK / CUTOVER_SYNC_DAYS_AHEAD.")
    return w

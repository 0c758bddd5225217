"""`luma_source()`: the Luma calendar's events and their guests as one dlt source for `raw_luma`.

Tables: `events` (primary key api_id; api_id, start_at, updated_at, record jsonb = the
list-events entry as received) and `guests` (primary key (event_api_id, api_id); record jsonb =
the get-guests entry as received). Write disposition merge, so a rerun after a failure and the
incremental sync never duplicate a row.

Live: events listed with `period_starts_after`/`period_ends_before` when a window is given, then
guests per listed event (a dlt transformer). HTTP details (rate limit, Retry-After, counting) are
in `client.py`. The request counter: pass `stats=RequestStats()` (or read `last_stats()` after the
run); `stats.requests` is the number of HTTP requests sent, `stats.listed` the entries listed.

Snapshot: `luma/events.jsonl` and `luma/guests.jsonl` (each guest line carries `event_api_id`,
which is taken off the record so snapshot and live land the same record), landed as Arrow batches
(COPY); a window, when given, applies to start_at as the API does. A malformed line is a
CutoverError naming file:line. NaN/Infinity in a line is rejected too (jsonb cannot hold it).

A key listed twice in one landing (the same event, or the same guest of an event, in the file or
the API's listing again) is never collapsed by dlt's merge, which would keep one of them at random
and lose the other without a word: the first entry listed is the row, every later one lands in
`duplicates` (source_table, event_api_id ('' for events), api_id, occurrence 2, 3, …, record), and
the models classify it as merged into the row: quietly when it is the same record, as a conflict
recorded field by field when it differs (stg_luma__duplicates). A duplicate belongs to
the landing of its row (same `_dlt_load_id`); a later landing of the key supersedes it.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Iterator

from pipelines.errors import CutoverError
from pipelines.luma.client import LumaClient, RequestStats
from pipelines.luma.entries import event_row, guest_row, in_window, iso  # noqa: F401

EVENT_COLUMNS = {
    "api_id": {"data_type": "text", "nullable": False},
    "start_at": {"data_type": "timestamp", "timezone": True, "nullable": True},
    "updated_at": {"data_type": "timestamp", "timezone": True, "nullable": True},
    "record": {"data_type": "json", "nullable": False},
    "_dlt_id": {"data_type": "text", "nullable": True},
}
GUEST_COLUMNS = {
    "event_api_id": {"data_type": "text", "nullable": False},
    "api_id": {"data_type": "text", "nullable": False},
    "record": {"data_type": "json", "nullable": False},
    "_dlt_id": {"data_type": "text", "nullable": True},
}
DUPLICATE_COLUMNS = {
    "source_table": {"data_type": "text", "nullable": False},
    "event_api_id": {"data_type": "text", "nullable": False},
    "api_id": {"data_type": "text", "nullable": False},
    "occurrence": {"data_type": "bigint", "nullable": False},
    "record": {"data_type": "json", "nullable": False},
    "_dlt_id": {"data_type": "text", "nullable": True},
}
# `_dlt_id`: dlt gives live entries (rows) one of its own, but Arrow tables only on request, which
# pipelines/land.py turns off for speed; so snapshot tables carry their key as `_dlt_id`, and a
# snapshot landing fits the raw table a live landing or the sync created (and the other way round).
# Nullable, so that a raw table an earlier snapshot landing made without the column takes it.
BATCH = 10_000  # rows per Arrow table: dlt pays a fixed cost per item

_last: dict[str, RequestStats] = {}


def last_stats() -> RequestStats | None:
    """The RequestStats of the most recent live luma_source() built in this process."""
    return _last.get("stats")


def _reject_constant(name: str):
    raise ValueError(f"{name} is not JSON")


def _loads(line: bytes) -> Any:
    """orjson (rejects NaN/Infinity and invalid UTF-8 by itself); the standard library only for
    what orjson refuses but JSON allows (integers beyond 64 bits), so a valid line never fails."""
    import orjson

    try:
        return orjson.loads(line)
    except orjson.JSONDecodeError:
        return json.loads(line.decode("utf-8"), parse_constant=_reject_constant)


def _dumps(entry: dict) -> str:
    import orjson

    try:
        return orjson.dumps(entry).decode("utf-8")
    except TypeError:  # an integer beyond 64 bits
        return json.dumps(entry, ensure_ascii=False, allow_nan=False)


def read_jsonl(path: Path) -> Iterator[tuple[int, dict]]:
    """(line number, object) per non-blank line; anything else names file:line."""
    with open(path, "rb") as handle:
        for number, raw in enumerate(handle, 1):
            if not raw.strip():
                continue
            try:
                entry = _loads(raw)
            except ValueError as exc:
                reason = getattr(exc, "msg", str(exc))
                raise CutoverError(f"{path}:{number} is not valid JSON ({reason}); fix or re-capture that line.") from exc
            if b"\\u0000" in raw:
                raise CutoverError(f"{path}:{number} holds a NUL character (\\u0000), which PostgreSQL jsonb cannot store.")
            if not isinstance(entry, dict):
                raise CutoverError(f"{path}:{number} is not a JSON object; each line must be one Luma entry.")
            yield number, entry


class Listing:
    """The keys one landing has listed for one table: a key's first entry is its row, a later one
    is a duplicate (occurrence 2, 3, …). Holds every key of the landing: a set of strings, measured
    34 MiB (tracemalloc) for the 300k guests of the sample at scale 100."""

    def __init__(self, table: str) -> None:
        self.table = table
        self._seen: set[str] = set()
        self._repeats: dict[str, int] = {}

    def occurrence(self, row: dict) -> int:
        key = f"{row.get('event_api_id', '')}\x00{row['api_id']}"
        if key not in self._seen:
            self._seen.add(key)
            return 1
        self._repeats[key] = self._repeats.get(key, 1) + 1
        return self._repeats[key]

    def duplicate(self, row: dict, occurrence: int) -> dict:
        return {"source_table": self.table, "event_api_id": row.get("event_api_id", ""), "api_id": row["api_id"],
                "occurrence": occurrence, "record": row["record"]}

    def split(self, rows: list[dict]) -> tuple[list[dict], list[dict]]:
        """(rows listed for the first time, duplicate rows for `duplicates`)"""
        first, later = [], []
        for row in rows:
            n = self.occurrence(row)
            if n == 1:
                first.append(row)
            else:
                later.append(self.duplicate(row, n))
        return first, later


def duplicates_item(rows: list[dict]):
    """Duplicate rows as an Arrow table routed to raw_luma.duplicates (merge on its key), from
    whichever resource listed them; `record` is JSON text or the entry itself."""
    import dlt
    import pyarrow as pa

    table = pa.Table.from_pydict({
        "source_table": pa.array([r["source_table"] for r in rows], pa.string()),
        "event_api_id": pa.array([r["event_api_id"] for r in rows], pa.string()),
        "api_id": pa.array([r["api_id"] for r in rows], pa.string()),
        "occurrence": pa.array([r["occurrence"] for r in rows], pa.int64()),
        "record": pa.array([r["record"] if isinstance(r["record"], str) else _dumps(r["record"]) for r in rows], pa.string()),
        "_dlt_id": pa.array([f"{r['source_table']}/{r['event_api_id']}/{r['api_id']}/{r['occurrence']}" for r in rows], pa.string()),
    })
    hints = dlt.mark.make_hints(table_name="duplicates", write_disposition="merge", columns=DUPLICATE_COLUMNS,
                                primary_key=("source_table", "event_api_id", "api_id", "occurrence"))
    return dlt.mark.with_hints(table, hints, create_table_variant=True)


def _event_table(rows: list[dict]):
    import pyarrow as pa

    keys = pa.array([r["api_id"] for r in rows], pa.string())
    return pa.Table.from_pydict({
        "api_id": keys,
        "start_at": pa.array([r["start_at"] for r in rows], pa.timestamp("us", tz="UTC")),
        "updated_at": pa.array([r["updated_at"] for r in rows], pa.timestamp("us", tz="UTC")),
        "record": pa.array([r["record"] for r in rows], pa.string()),
        "_dlt_id": keys,
    })


def _guest_table(rows: list[dict]):
    import pyarrow as pa

    return pa.Table.from_pydict({
        "event_api_id": pa.array([r["event_api_id"] for r in rows], pa.string()),
        "api_id": pa.array([r["api_id"] for r in rows], pa.string()),
        "record": pa.array([r["record"] for r in rows], pa.string()),
        "_dlt_id": pa.array([f"{r['event_api_id']}/{r['api_id']}" for r in rows], pa.string()),
    })


def _batches(rows: Iterator[dict], listing: Listing | None, to_table) -> Iterator[Any]:
    """Arrow tables of BATCH rows; with a listing, a key's later entries go to `duplicates`."""
    batch: list[dict] = []
    later: list[dict] = []
    for row in rows:
        n = listing.occurrence(row) if listing is not None else 1
        if n > 1:
            later.append(listing.duplicate(row, n))
        else:
            batch.append(row)
        if len(batch) >= BATCH:
            yield to_table(batch) if to_table else batch
            batch = []
        if len(later) >= BATCH:
            yield duplicates_item(later)
            later = []
    if batch:
        yield to_table(batch) if to_table else batch
    if later:
        yield duplicates_item(later)


def _snapshot_events(path: Path, window_start: Any, window_end: Any, as_arrow: bool = True) -> Iterator[Any]:
    """Arrow tables of event rows; `record` is the entry's JSON text (jsonb parses it on COPY).
    `as_arrow=False`: plain row lists, every entry (the guests' window filter reads the keys)."""

    def rows():
        for number, entry in read_jsonl(path):
            row = event_row(entry)
            if not row["api_id"]:
                raise CutoverError(f"{path}:{number} has no api_id (or id); every Luma event needs one.")
            if in_window(row["start_at"], window_start, window_end):
                row["record"] = _dumps(entry)
                yield row

    yield from _batches(rows(), Listing("events") if as_arrow else None, _event_table if as_arrow else None)


def _snapshot_guests(path: Path, events_path: Path | None, window_start: Any, window_end: Any) -> Iterator[Any]:
    keep = None
    if window_start is not None or window_end is not None:
        keep = {row["api_id"] for page in (_snapshot_events(events_path, window_start, window_end, as_arrow=False)
                                           if events_path else []) for row in page}

    def rows():
        for number, entry in read_jsonl(path):
            event_api_id = entry.pop("event_api_id", None)
            row = guest_row(entry, str(event_api_id) if event_api_id else "")
            if not event_api_id or not row["api_id"]:
                raise CutoverError(f"{path}:{number} needs both event_api_id and the guest's api_id (or id).")
            if keep is None or event_api_id in keep:
                row["record"] = _dumps(entry)
                yield row

    yield from _batches(rows(), Listing("guests"), _guest_table)


def luma_source(snapshot_dir: str | None = None, window_start=None, window_end=None, base_url=None, api_key=None,
                *, stats: RequestStats | None = None, max_rpm: int | None = None, rate_window: float = 60.0,
                page_size: int | None = None, max_attempts: int | None = None, backoff_factor: float | None = None):
    """The dlt source (dataset `raw_luma`), from `snapshot_dir/luma/` or the live API."""
    import dlt

    # Arrow rows (snapshot mode) get dlt's bookkeeping columns only on request (see pipelines/land.py).
    os.environ.setdefault("NORMALIZE__PARQUET_NORMALIZER__ADD_DLT_LOAD_ID", "true")
    if snapshot_dir is not None:
        folder = Path(snapshot_dir) / "luma"
        events_path, guests_path = folder / "events.jsonl", folder / "guests.jsonl"
        listed = _manifest_counts(snapshot_dir)
        for name, path in (("events", events_path), ("guests", guests_path)):
            if name in listed and not path.is_file():
                raise CutoverError(f"The snapshot manifest lists luma.{name} but {path} is missing.")

        def events_rows():
            if events_path.is_file():
                yield from _snapshot_events(events_path, window_start, window_end)

        def guests_rows():
            if guests_path.is_file():
                yield from _snapshot_guests(guests_path, events_path if events_path.is_file() else None,
                                            window_start, window_end)

        events = dlt.resource(events_rows, name="events", table_name="events", primary_key="api_id",
                              write_disposition="merge", columns=EVENT_COLUMNS)
        guests = dlt.resource(guests_rows, name="guests", table_name="guests", primary_key=("event_api_id", "api_id"),
                              write_disposition="merge", columns=GUEST_COLUMNS)
    else:
        client = LumaClient(base_url=base_url, api_key=api_key, stats=stats, max_rpm=max_rpm, rate_window=rate_window,
                            page_size=page_size, max_attempts=max_attempts, backoff_factor=backoff_factor)
        _last["stats"] = client.stats
        listed = client.stats.listed

        event_listing, guest_listing = Listing("events"), Listing("guests")

        def events_rows():
            for page in client.events(iso(window_start), iso(window_end)):
                rows = [event_row(entry) for entry in page]
                listed["events"] += len(rows)
                missing = [entry for entry, row in zip(page, rows) if not row["api_id"]]
                if missing:
                    raise CutoverError(f"Luma list-events returned an entry without api_id or id: {str(missing[0])[:120]}")
                rows, later = event_listing.split(rows)
                yield rows
                if later:
                    yield duplicates_item(later)

        events = dlt.resource(events_rows, name="events", table_name="events", primary_key="api_id",
                              write_disposition="merge", columns=EVENT_COLUMNS)

        @dlt.transformer(data_from=events, name="guests", table_name="guests", primary_key=("event_api_id", "api_id"),
                         write_disposition="merge", columns=GUEST_COLUMNS)
        def guests(event_rows: list[dict]):
            if not isinstance(event_rows, list):  # duplicate events (an Arrow table for `duplicates`) pass here too
                return
            # the page's events listed concurrently (client.guests_of), taken in listing order, so
            # which entry of a repeated key is the row stays the same as listed one by one
            for event_api_id, pages in client.guests_of([event["api_id"] for event in event_rows]):
                for page in pages:
                    rows = [guest_row(entry, event_api_id) for entry in page]
                    listed["guests"] += len(rows)
                    if any(not row["api_id"] for row in rows):
                        raise CutoverError(f"Luma get-guests for {event_api_id} returned an entry without api_id or id.")
                    rows, later = guest_listing.split(rows)
                    yield rows
                    if later:
                        yield duplicates_item(later)

    @dlt.source(name="luma", max_table_nesting=0)
    def luma():
        return [events, guests]

    return luma()


def _manifest_counts(snapshot_dir: str) -> dict[str, int]:
    from pipelines.mongo.readers import manifest_counts

    return manifest_counts(snapshot_dir, "luma")


def source_counts(snapshot_dir: str | None) -> dict[str, int]:
    """{"events": n, "guests": n}: the manifest's `luma.*` counts (lines of the files where the
    manifest has none) in snapshot mode; live: what the last live listing in this process listed
    (`last_stats().listed`), so call it after the pipeline ran."""
    if snapshot_dir is not None:
        counts = _manifest_counts(snapshot_dir)
        folder = Path(snapshot_dir) / "luma"
        for name in ("events", "guests"):
            if name not in counts:
                path = folder / f"{name}.jsonl"
                counts[name] = sum(1 for _ in read_jsonl(path)) if path.is_file() else 0
        return {name: counts[name] for name in ("events", "guests")}
    stats = last_stats()
    if stats is None:
        raise CutoverError("Luma live counts are only known after a live landing ran in this process.")
    return dict(stats.listed)

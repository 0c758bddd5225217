"""The sync's landing step: the window's events and their guests, merged into raw_luma.

Decisions:
- Same HTTP client as the landing (pipelines/luma/client.py: limiter, 429/Retry-After, request
  counter) and the same rows (pipelines/luma/entries.py), landed as Arrow batches with exactly the
  columns the land phase gives raw_luma (api_id, start_at, updated_at, record / event_api_id,
  api_id, record, plus _dlt_load_id), merge on the raw keys. Dict rows would make dlt add its own
  `_dlt_id` column (NOT NULL) to tables the land phase created without one, which fails on the
  landed rows and would break the next land's COPY.
- The events are listed first, then one guest listing per listed event: the cost follows the
  window, never the calendar's history.
- Own dlt pipeline name (`sync_luma`) in the land phase's pipelines folder, local state dropped
  first (a killed sync's half-built package is never loaded later).
"""

from __future__ import annotations

import json
import os
from datetime import datetime

from pipelines.errors import CutoverError


def _pipeline(url: str):
    import dlt

    from pipelines.database import dlt_credentials
    from pipelines.land import pipelines_dir

    # Arrow batches get dlt's load id (the sync's rules select its rows by it), no dlt row id
    os.environ["NORMALIZE__PARQUET_NORMALIZER__ADD_DLT_LOAD_ID"] = "true"
    os.environ["NORMALIZE__PARQUET_NORMALIZER__ADD_DLT_ID"] = "false"
    destination = dlt.destinations.postgres(credentials=dlt_credentials(url), create_indexes=False)
    return dlt.pipeline(pipeline_name="sync_luma", pipelines_dir=pipelines_dir(url), destination=destination,
                        dataset_name="raw_luma", progress=None)


def _as_text(rows: list[dict]) -> list[dict]:
    for row in rows:
        row["record"] = json.dumps(row["record"], ensure_ascii=False)
    return rows


def land_window(url: str, start: datetime, end: datetime, base_url: str | None = None, api_key: str | None = None) -> tuple[str | None, int]:
    """Merge the window's events and their guests into raw_luma. Returns (this load's id, or None
    when the window holds no event, HTTP requests sent)."""
    import dlt

    from pipelines.land import RUN_KWARGS, unwrap
    from pipelines.luma.client import LumaClient, RequestStats
    from pipelines.luma.entries import event_row, guest_row, iso
    from pipelines.luma.source import EVENT_COLUMNS, GUEST_COLUMNS, Listing, _event_table, _guest_table, duplicates_item

    stats = RequestStats()  # counted in the client's HTTP adapter: every request sent, retries included
    client = LumaClient(base_url=base_url, api_key=api_key, stats=stats)
    event_tables, event_ids = [], []
    # a key listed twice: the first entry is the row, later ones go to raw_luma.duplicates (as in the land phase)
    event_listing, guest_listing = Listing("events"), Listing("guests")
    for page in client.events(iso(start), iso(end)):
        rows = [event_row(entry) for entry in page]
        if any(not row["api_id"] for row in rows):
            raise CutoverError("Luma list-events returned an entry without api_id or id; the sync stopped before writing anything.")
        rows, later = event_listing.split(_as_text(rows))
        if rows:
            event_ids += [row["api_id"] for row in rows]
            event_tables.append(_event_table(rows))
        if later:
            event_tables.append(duplicates_item(later))
    if not event_ids:
        return None, stats.requests

    def guest_tables():
        for event_api_id in event_ids:
            for page in client.guests(event_api_id):
                rows = [guest_row(entry, event_api_id) for entry in page]
                if any(not row["api_id"] for row in rows):
                    raise CutoverError(f"Luma get-guests for {event_api_id} returned an entry without api_id or id.")
                rows, later = guest_listing.split(_as_text(rows))
                if rows:
                    yield _guest_table(rows)
                if later:
                    yield duplicates_item(later)

    events = dlt.resource(event_tables, name="events", table_name="events", primary_key="api_id",
                          write_disposition="merge", columns=EVENT_COLUMNS)
    guests = dlt.resource(guest_tables, name="guests", table_name="guests", primary_key=("event_api_id", "api_id"),
                          write_disposition="merge", columns=GUEST_COLUMNS)

    @dlt.source(name="luma", max_table_nesting=0)
    def luma():
        return [events, guests]

    pipeline = _pipeline(url).drop()  # drop() hands back the re-initialized pipeline
    try:
        info = pipeline.run(luma(), **RUN_KWARGS)
    except Exception as exc:
        raise unwrap(exc) from exc
    info.raise_on_failed_jobs()
    load_ids = list(info.loads_ids or [])
    return (load_ids[-1] if load_ids else None), stats.requests

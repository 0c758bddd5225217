"""Capture the live Luma calendar into the snapshot layout of SPEC §2.4.

`luma/events.jsonl`: one list-events entry per line exactly as received (either shape);
`luma/guests.jsonl`: one get-guests entry per line as received plus `"event_api_id"`. Files are
written under a temporary name and renamed when complete. The whole calendar is captured (no
window), through the same rate-limited client as the landing.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from pipelines.luma.client import LumaClient, RequestStats, api_key_from_settings
from pipelines.luma.entries import api_id


def check(api_key: str | None = None, **_) -> None:
    """Raises MissingSetting when LUMA_API_KEY is not set and no key is given (before anything is read)."""
    if api_key is None:
        api_key_from_settings()


def write(out_dir: str | os.PathLike, base_url: str | None = None, api_key: str | None = None,
          stats: RequestStats | None = None, **client_options) -> dict[str, int]:
    """Returns {"events": n, "guests": n} (pipelines.snapshot prefixes `luma.` for the manifest)."""
    client = LumaClient(base_url=base_url, api_key=api_key, stats=stats, **client_options)
    folder = Path(out_dir) / "luma"
    folder.mkdir(parents=True, exist_ok=True)
    events_partial, guests_partial = folder / ".events.jsonl.partial", folder / ".guests.jsonl.partial"
    events = guests = 0
    with open(events_partial, "w", encoding="utf-8") as events_file, \
            open(guests_partial, "w", encoding="utf-8") as guests_file:
        for page in client.events():
            for entry in page:
                events_file.write(json.dumps(entry, ensure_ascii=False) + "\n")
                events += 1
                event_api_id = api_id(entry, "event")
                for guest_page in client.guests(event_api_id):
                    for guest in guest_page:
                        guests_file.write(json.dumps({**guest, "event_api_id": event_api_id}, ensure_ascii=False) + "\n")
                        guests += 1
    events_partial.replace(folder / "events.jsonl")
    guests_partial.replace(folder / "guests.jsonl")
    return {"events": events, "guests": guests}

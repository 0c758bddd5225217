"""Live listing speed against the latency-adding stand-ins, timed against its floors: Airtable's
five tables, Luma's events then guests, each extracted by a real dlt pipeline (no database: the
listing is what is measured). Used by tests/test_live_listing_speed.py and by `make bench`, which
runs `python -m tests.listing_speed` as a child (bench may not import tests; see pyproject's layers).

The listing's seconds run from its first request's send to its last answer (the stand-in's log);
the whole extract's, dlt's work included, are kept beside them. Two floors per listing: `floor_s`, the requests at the API's own limit (Airtable 5/s per base, Luma
200/min per key: the issue's floor), and `pace_floor_s`, the least any client keeping the limiter's
proof can take with these answer times (pipelines.ratelimit.pace_floor).
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from contextlib import contextmanager

# 21 pages of 100, the listing the issue measured (10.6 s one table after another at 250 ms answers)
AIRTABLE_SIZES = {"users": 600, "votes": 600, "projects": 400, "referrals": 300, "events": 200}


@contextmanager
def _environ(values: dict[str, str]):
    saved = {key: os.environ.get(key) for key in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def _extract(source) -> float:
    import dlt

    with tempfile.TemporaryDirectory(prefix="listing-") as folder:
        pipeline = dlt.pipeline(pipeline_name="listing_speed", pipelines_dir=folder)
        started = time.perf_counter()
        pipeline.extract(source)
        return time.perf_counter() - started


def _figures(arrivals: list[float], seconds: float, max_requests: int, window: float, client_window: float,
             latency: float, throttled: int) -> dict:
    """`arrivals`: when the stand-in counted each request (its latency after the send); the listing
    runs from the first send to the last answer, which the stand-in gives right after counting.
    `seconds`: the whole extract, dlt's own work included. `window`: the API's; `client_window`: the
    limiter's (Airtable's adds a clock margin)."""
    from pipelines.ratelimit import pace_floor

    requests = len(arrivals)
    listing = max(arrivals) - min(arrivals) + latency
    floor = requests * window / max_requests
    pace = pace_floor(requests, max_requests, client_window, latency)
    return {"requests": requests, "seconds": round(listing, 3), "extract_s": round(seconds, 3), "latency_s": latency,
            "floor_s": round(floor, 3), "ratio": round(listing / floor, 2), "pace_floor_s": round(pace, 3),
            "pace_ratio": round(listing / pace, 2), "throttled": throttled}


def airtable(latency: float = 0.25, sizes: dict[str, int] | None = None) -> dict:
    """Extract the Airtable source from a stand-in answering after `latency` seconds."""
    from pipelines.airtable import client
    from pipelines.airtable.source import airtable_source
    from tests.standins.airtable import AirtableStandIn, make_records

    tables = {table: make_records(table, n) for table, n in (sizes or AIRTABLE_SIZES).items()}
    with AirtableStandIn(tables, latency=latency) as standin, _environ(standin.env()):
        client._limiters.pop(standin.base_id, None)  # the stand-in's window starts empty: so does ours
        seconds = _extract(airtable_source())
    figures = _figures([entry[0] for entry in standin.log], seconds, client.REQUESTS_PER_SECOND, 1.0, 1.0 + client.CLOCK_MARGIN_SECONDS,
                       latency, standin.count(429))
    return {**figures, "max_in_any_second": standin.max_in_any_second()}


def luma(latency: float = 0.25, events: int = 70, guests_per_event: int = 43, max_rpm: int = 200,
         window: float = 60.0) -> dict:
    """Extract the Luma source from a stand-in answering after `latency` seconds, limited (on both
    sides) to `max_rpm` requests per `window` seconds. Defaults: the scale-1 sample's shape."""
    from pipelines.luma.client import RequestStats
    from pipelines.luma.source import luma_source
    from tests.standins.luma import LumaStandin

    start = "2025-03-01T23:00:00Z"
    listed = [{"api_id": f"evt-{i:04d}", "name": f"Night {i}", "start_at": start} for i in range(events)]
    guests = {e["api_id"]: [{"api_id": f"gst-{e['api_id']}-{j}", "email": f"p{j}@example.com"} for j in range(guests_per_event)]
              for e in listed}
    stats = RequestStats()
    with LumaStandin(listed, guests, max_rpm=max_rpm, window_seconds=window, latency=latency) as standin:
        seconds = _extract(luma_source(base_url=standin.url, api_key=standin.api_key, stats=stats, max_rpm=max_rpm,
                                       rate_window=window))
    arrivals = [t for t, _, _ in standin.requests]
    return {**_figures(arrivals, seconds, max_rpm, window, window, latency, stats.throttled), "listed": dict(stats.listed)}


if __name__ == "__main__":
    json.dump({"airtable": airtable(), "luma": luma()}, sys.stdout)

"""Luma landing into raw_luma against the HTTP stand-in (tests/standins/luma.py) and snapshots,
through a real dlt pipeline into a real PostgreSQL."""

from __future__ import annotations

import datetime as dt
import math
import uuid

import pytest

from pipelines.errors import CutoverError
from tests.standins.luma import LumaStandin

UTC = dt.timezone.utc
BASE = dt.datetime(2025, 3, 1, 23, 0, tzinfo=UTC)


def make_events(n: int, id_only_every: int = 0) -> list[dict]:
    events = []
    for i in range(n):
        event = {"api_id": f"evt-{i:03d}", "name": f"Hack night {i}", "start_at": (BASE + dt.timedelta(days=7 * i)).isoformat().replace("+00:00", "Z"),
                 "end_at": (BASE + dt.timedelta(days=7 * i, hours=3)).isoformat().replace("+00:00", "Z"),
                 "timezone": "America/New_York", "url": f"https://lu.ma/e{i}",
                 "geo_address_info": {"type": "google", "place_name": "The Lab", "latitude": 25.7, "longitude": -80.2},
                 "updated_at": "2025-02-01T10:00:00.000Z"}
        if id_only_every and i % id_only_every == 1:
            event["id"] = event.pop("api_id")
        events.append(event)
    return events


def make_guests(events: list[dict], per_event: int) -> dict[str, list[dict]]:
    guests = {}
    for e in events:
        key = e.get("api_id") or e["id"]
        guests[key] = [{"api_id": f"gst-{key}-{j}", "user_api_id": f"usr-{j}", "email": f"p{j}@example.com",
                        "approval_status": "approved", "registered_at": "2025-02-20T12:00:00.000Z",
                        "checked_in_at": None, "event_tickets": [{"api_id": f"tkt-{key}-{j}", "checked_in_at": None}]}
                       for j in range(per_event)]
    return guests


def pipeline(db_url, tmp_path, name="luma"):
    import dlt

    from pipelines.database import dlt_credentials

    return dlt.pipeline(pipeline_name=name, destination=dlt.destinations.postgres(credentials=dlt_credentials(db_url)),
                        dataset_name="raw_luma", pipelines_dir=str(tmp_path / "dlt"))


def land(source, db_url, tmp_path, name="luma"):
    info = pipeline(db_url, tmp_path, name).run(source, loader_file_format="csv")
    info.raise_on_failed_jobs()
    return info


def fetch(db_url, sql, params=None):
    from pipelines.database import connect

    with connect(db_url) as conn:
        return conn.execute(sql, params or {}).fetchall()


def cutover_error(exc: BaseException) -> CutoverError | None:
    seen = set()
    while exc is not None and id(exc) not in seen:
        if isinstance(exc, CutoverError):
            return exc
        seen.add(id(exc))
        exc = exc.__cause__ or exc.__context__
    return None


def live(luma: LumaStandin, **options):
    from pipelines.luma.source import luma_source

    return luma_source(base_url=luma.url, api_key=luma.api_key, **options)


def counts(db_url):
    return fetch(db_url, "select (select count(*) from raw_luma.events), (select count(distinct api_id) from raw_luma.events), "
                         "(select count(*) from raw_luma.guests), "
                         "(select count(distinct (event_api_id, api_id)) from raw_luma.guests)")[0]


# ---------------------------------------------------------------- live

@pytest.mark.parametrize("shape", ["wrapped", "flat", "mixed"])
@pytest.mark.parametrize("n_events,per_event,page_size,linger", [(1, 0, 50, True), (6, 3, 3, True), (7, 5, 2, True), (5, 4, 2, False)])
def test_live_pages_to_the_last_page(db_url, tmp_path, shape, n_events, per_event, page_size, linger):
    from pipelines.luma.source import source_counts

    events = make_events(n_events, id_only_every=3 if shape != "wrapped" else 0)
    guests = make_guests(events, per_event)
    with LumaStandin(events, guests, shape=shape, page_size=page_size, linger_cursor=linger) as luma:
        land(live(luma), db_url, tmp_path)
        pages = max(1, math.ceil(n_events / page_size)) + n_events * max(1, math.ceil(per_event / page_size))
        assert len(luma.requests) == pages  # a lingering cursor on the last page is not followed
        assert all(status == 200 for _, _, status in luma.requests)
    total_guests = n_events * per_event
    if total_guests:
        assert counts(db_url) == (n_events, n_events, total_guests, total_guests)
    else:
        assert fetch(db_url, "select count(*) from raw_luma.events") == [(n_events,)]
    assert source_counts(None) == {"events": n_events, "guests": total_guests}
    # the key column is filled from either shape, and the record is the entry as received
    rows = fetch(db_url, "select api_id, start_at, record from raw_luma.events order by api_id")
    assert [r[0] for r in rows] == sorted(e.get("api_id") or e["id"] for e in events)
    assert rows[0][1] == BASE
    wrapped = [r for r in rows if "event" in r[2]]
    assert (len(wrapped) == n_events) if shape == "wrapped" else (len(wrapped) < n_events or n_events == 1)


def test_checked_in_on_guest_and_on_ticket_are_kept(db_url, tmp_path):
    events = make_events(2)
    guests = make_guests(events, 3)
    with LumaStandin(events, guests, shape="mixed") as luma:
        luma.check_in("evt-000", "gst-evt-000-0", at="2025-03-01T23:30:00.000Z", on="guest")
        luma.check_in("evt-000", "gst-evt-000-1", at="2025-03-01T23:45:00.000Z", on="ticket")
        land(live(luma), db_url, tmp_path)
    rows = dict(fetch(db_url, "select api_id, coalesce(record->'guest', record) from raw_luma.guests where event_api_id = 'evt-000'"))
    assert rows["gst-evt-000-0"]["checked_in_at"] == "2025-03-01T23:30:00.000Z"
    assert rows["gst-evt-000-1"]["checked_in_at"] is None
    assert rows["gst-evt-000-1"]["event_tickets"][0]["checked_in_at"] == "2025-03-01T23:45:00.000Z"
    assert rows["gst-evt-000-2"]["event_tickets"][0]["checked_in_at"] is None


def test_429_with_retry_after_mid_listing_is_waited_out(db_url, tmp_path):
    from pipelines.luma.client import RequestStats

    events = make_events(4)
    guests = make_guests(events, 2)
    stats = RequestStats()
    # the stand-in allows 4 requests a minute; the client is told it may send 1000, so it meets a 429
    with LumaStandin(events, guests, page_size=2, max_rpm=4, block_seconds=2) as luma:
        land(live(luma, stats=stats, max_rpm=1000), db_url, tmp_path)
        log = luma.requests
    assert counts(db_url) == (4, 4, 8, 8)
    assert stats.throttled >= 1 and stats.requests == len(log)
    first_429 = next(i for i, (_, _, status) in enumerate(log) if status == 429)
    assert log[first_429 + 1][0] - log[first_429][0] >= 1.9  # waited at least Retry-After (2 s)
    assert [status for _, _, status in log].count(200) == 2 + 4  # every page once: 2 event pages, 4 guest pages


def test_client_limiter_keeps_under_the_limit(db_url, tmp_path):
    from pipelines.luma.client import RequestStats

    events = make_events(6)
    guests = make_guests(events, 1)
    stats = RequestStats()
    with LumaStandin(events, guests, page_size=2, max_rpm=3, window_seconds=1, block_seconds=30) as luma:
        land(live(luma, stats=stats, max_rpm=3, rate_window=1.0), db_url, tmp_path)
    assert stats.throttled == 0 and stats.requests == 3 + 6
    assert stats.waited_seconds >= 1.5
    assert counts(db_url) == (6, 6, 6, 6)


def test_500_mid_listing_then_rerun_leaves_no_duplicates(db_url, tmp_path):
    events = make_events(5)
    guests = make_guests(events, 3)
    with LumaStandin(events, guests, page_size=2) as luma:
        land(live(luma), db_url, tmp_path)
        assert counts(db_url) == (5, 5, 15, 15)
        luma.rename_event("evt-002", "Renamed night")
        luma.check_in("evt-001", "gst-evt-001-2", at="2025-03-08T23:10:00.000Z")
        luma.fail(status=500, times=100, path_contains="get-guests", skip=3)
        with pytest.raises(Exception) as failed:
            land(live(luma, max_attempts=2, backoff_factor=0), db_url, tmp_path)
        assert "500" in str(failed.value)
        assert counts(db_url) == (5, 5, 15, 15)  # the failed run changed nothing
        luma.clear_failures()
        land(live(luma), db_url, tmp_path)
        land(live(luma), db_url, tmp_path)
    assert counts(db_url) == (5, 5, 15, 15)
    assert fetch(db_url, "select record->'event'->>'name' from raw_luma.events where api_id = 'evt-002'") == [("Renamed night",)]
    assert fetch(db_url, "select record->'guest'->>'checked_in_at' from raw_luma.guests where api_id = 'gst-evt-001-2'") == [
        ("2025-03-08T23:10:00.000Z",)]


def test_window_parameters_are_sent_and_bound_the_listing(db_url, tmp_path):
    events = make_events(6)
    guests = make_guests(events, 2)
    start, end = BASE + dt.timedelta(days=7), BASE + dt.timedelta(days=21)
    with LumaStandin(events, guests) as luma:
        land(live(luma, window_start=start, window_end=end), db_url, tmp_path)
        listing = [params for _, path, _, params in luma.calls if path.endswith("list-events")]
    assert listing == [{"pagination_limit": "50", "period_starts_after": "2025-03-08T23:00:00.000Z",
                        "period_ends_before": "2025-03-22T23:00:00.000Z"}]
    assert fetch(db_url, "select api_id from raw_luma.events order by 1") == [("evt-001",), ("evt-002",), ("evt-003",)]
    assert fetch(db_url, "select count(*) from raw_luma.guests") == [(6,)]


def test_older_paths_and_configured_paths(db_url, tmp_path, monkeypatch):
    monkeypatch.setenv("LUMA_EVENTS_PATH", "/public/v1/calendar/list-events")
    monkeypatch.setenv("LUMA_GUESTS_PATH", "/public/v1/event/get-guests")
    events = make_events(2)
    with LumaStandin(events, make_guests(events, 1)) as luma:
        land(live(luma), db_url, tmp_path)
        assert {path for _, path, _ in luma.requests} == {"/public/v1/calendar/list-events", "/public/v1/event/get-guests"}
    assert counts(db_url) == (2, 2, 2, 2)


def test_missing_api_key_names_the_setting(monkeypatch):
    from pipelines.luma.source import luma_source

    monkeypatch.delenv("LUMA_API_KEY", raising=False)
    with pytest.raises(CutoverError, match="LUMA_API_KEY"):
        luma_source()


def test_wrong_api_key_fails_without_retrying(db_url, tmp_path):
    from pipelines.luma.source import luma_source

    with LumaStandin(make_events(1), {}) as luma:
        with pytest.raises(Exception, match="401"):
            land(luma_source(base_url=luma.url, api_key="wrong"), db_url, tmp_path)
        assert [status for _, _, status in luma.requests] == [401]


# ---------------------------------------------------------------- snapshots

def write_snapshot(folder, events: list[dict], guests: dict[str, list[dict]], shape="mixed", manifest=True):
    import json

    (folder / "luma").mkdir(parents=True, exist_ok=True)
    with open(folder / "luma" / "events.jsonl", "w") as handle:
        for i, event in enumerate(events):
            key = event.get("api_id") or event["id"]
            entry = {"api_id": key, "event": event} if shape == "wrapped" or (shape == "mixed" and i % 2 == 0) else event
            handle.write(json.dumps(entry) + "\n")
    n_guests = 0
    with open(folder / "luma" / "guests.jsonl", "w") as handle:
        for key, items in guests.items():
            for j, guest in enumerate(items):
                entry = {"api_id": guest["api_id"], "guest": guest} if shape == "wrapped" or (shape == "mixed" and j % 2) else dict(guest)
                handle.write(json.dumps({**entry, "event_api_id": key}) + "\n")
                n_guests += 1
    if manifest:
        (folder / "manifest.json").write_text(json.dumps(
            {"captured_at": "2025-06-01T00:00:00Z", "counts": {"luma.events": len(events), "luma.guests": n_guests}}))
    return len(events), n_guests


@pytest.mark.parametrize("shape", ["wrapped", "flat", "mixed"])
@pytest.mark.parametrize("n_events,per_event", [(1, 1), (9, 4)])
def test_snapshot_lands_the_manifest_counts(db_url, tmp_path, shape, n_events, per_event):
    from pipelines.luma.source import luma_source, source_counts

    events = make_events(n_events, id_only_every=3)
    n, g = write_snapshot(tmp_path / "snap", events, make_guests(events, per_event), shape=shape)
    land(luma_source(snapshot_dir=str(tmp_path / "snap")), db_url, tmp_path)
    land(luma_source(snapshot_dir=str(tmp_path / "snap")), db_url, tmp_path)  # merge: a rerun adds nothing
    assert counts(db_url) == (n, n, g, g)
    assert source_counts(str(tmp_path / "snap")) == {"events": n, "guests": g}
    assert fetch(db_url, "select count(*) from raw_luma.guests where record ? 'event_api_id' or _dlt_load_id is null") == [(0,)]
    assert fetch(db_url, "select min(start_at) from raw_luma.events") == [(BASE,)]


def test_snapshot_and_live_land_the_same_rows(db_url, tmp_path):
    from pipelines.luma import snapshot
    from pipelines.luma.source import luma_source

    events = make_events(5, id_only_every=2)
    guests = make_guests(events, 3)
    with LumaStandin(events, guests, shape="mixed", page_size=2) as luma:
        land(live(luma), db_url, tmp_path)
        live_rows = fetch(db_url, "select api_id, start_at, updated_at, record from raw_luma.events order by 1")
        live_guests = fetch(db_url, "select event_api_id, api_id, record from raw_luma.guests order by 1, 2")
        written = snapshot.write(tmp_path / "snap", base_url=luma.url, api_key=luma.api_key)
    assert written == {"events": 5, "guests": 15}
    from pipelines.database import connect

    with connect(db_url) as conn:
        conn.execute("truncate raw_luma.events, raw_luma.guests")
    land(luma_source(snapshot_dir=str(tmp_path / "snap")), db_url, tmp_path)
    assert fetch(db_url, "select api_id, start_at, updated_at, record from raw_luma.events order by 1") == live_rows
    assert fetch(db_url, "select event_api_id, api_id, record from raw_luma.guests order by 1, 2") == live_guests


def test_snapshot_window_applies_to_start_at(db_url, tmp_path):
    from pipelines.luma.source import luma_source

    events = make_events(6)
    write_snapshot(tmp_path / "snap", events, make_guests(events, 2))
    land(luma_source(snapshot_dir=str(tmp_path / "snap"), window_start=BASE + dt.timedelta(days=14)), db_url, tmp_path)
    assert fetch(db_url, "select count(*) from raw_luma.events") == [(4,)]
    assert fetch(db_url, "select count(*) from raw_luma.guests") == [(8,)]


@pytest.mark.parametrize("file,line", [
    ("events.jsonl", '{"api_id": "evt-x", "event": {"name": '),
    ("events.jsonl", '["not", "an", "object"]'),
    ("events.jsonl", '{"event": {"name": "no id"}}'),
    ("events.jsonl", '{"api_id": "evt-nan", "guest_count": NaN}'),
    ("guests.jsonl", '{"api_id": "gst-no-event"}'),
    ("guests.jsonl", '{"event_api_id": "evt-000", "guest": {"name": "no id"}}'),
    ("guests.jsonl", '{"event_api_id": "evt-000", "api_id": "gst-x", "name": "nul \\u0000"}'),
])
def test_malformed_snapshot_line_names_file_and_line(db_url, tmp_path, file, line):
    from pipelines.luma.source import luma_source

    events = make_events(3)
    write_snapshot(tmp_path / "good", events, make_guests(events, 2))
    land(luma_source(snapshot_dir=str(tmp_path / "good")), db_url, tmp_path)
    write_snapshot(tmp_path / "bad", events, make_guests(events, 2))
    path = tmp_path / "bad" / "luma" / file
    lines = path.read_text().splitlines()
    lines.insert(1, line)
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(Exception) as raised:
        land(luma_source(snapshot_dir=str(tmp_path / "bad")), db_url, tmp_path)
    error = cutover_error(raised.value)
    assert error is not None and f"{path}:2" in str(error), raised.value
    assert counts(db_url) == (3, 3, 6, 6)  # the earlier landing is untouched


def test_manifest_lists_a_missing_luma_file(tmp_path):
    from pipelines.luma.source import luma_source

    write_snapshot(tmp_path, make_events(1), {})
    (tmp_path / "luma" / "guests.jsonl").unlink()
    with pytest.raises(CutoverError, match="luma.guests"):
        luma_source(snapshot_dir=str(tmp_path))

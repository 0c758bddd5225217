"""Luma landing into raw_luma from the live API, played by the HTTP stand-in
(tests/standins/luma.py), through a real dlt pipeline into a real PostgreSQL. The helpers here are
shared with test_luma_snapshot.py."""

from __future__ import annotations

import datetime as dt
import math

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

@pytest.mark.parametrize("shape,n_events,per_event,page_size,linger", [
    ("wrapped", 1, 0, 50, True), ("flat", 6, 3, 3, True), ("mixed", 7, 5, 2, True), ("wrapped", 5, 4, 2, False),
    ("flat", 4, 2, 2, True),
])
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
    from pipelines.luma.client import GUEST_CONCURRENCY, RequestStats

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
    # waited at least Retry-After (2 s): guests are listed concurrently, so only the requests already
    # in flight when the 429 came back (fewer than the client's threads, within moments) arrive sooner
    blocked_at = log[first_429][0]
    in_flight = [(t, status) for t, _, status in log[first_429 + 1:] if t - blocked_at < 1.9]
    assert len(in_flight) < GUEST_CONCURRENCY and all(status == 429 and t - blocked_at < 0.2 for t, status in in_flight)
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
        assert "Luma answered 500 for /v1/event/get-guests" in str(cutover_error(failed.value))
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
        with pytest.raises(Exception) as raised:
            land(luma_source(base_url=luma.url, api_key="lumaSECRETwrong42"), db_url, tmp_path)
        assert "Luma answered 401" in str(cutover_error(raised.value)) and "LUMA_API_KEY" in str(cutover_error(raised.value))
        assert "lumaSECRETwrong42" not in str(raised.value)  # the key never reaches a message
        assert [status for _, _, status in luma.requests] == [401]


@pytest.mark.parametrize("header,at_least", [("2", 2.0), ("1.5", 1.5), ("0", 0.0), (None, None), ("soon", None)])
def test_retry_after_forms(header, at_least):
    import email.utils
    import time

    from pipelines.luma.client import retry_after_seconds

    assert retry_after_seconds(header) == at_least
    # an HTTP date (which dlt's own wait ignores) is honoured by the limiter
    date = email.utils.formatdate(time.time() + 30, usegmt=True)
    assert 28 <= retry_after_seconds(date) <= 31


@pytest.mark.parametrize("pages,expected", [
    # (has_more, next_cursor) per page, and how many pages the paginator asks for
    ([(True, "c1"), (True, "c2"), (False, "c2")], 3),   # cursor lingers on the last page
    ([(True, "c1"), (False, None)], 2),
    ([(None, "c1"), (None, "c2"), (None, None)], 3),     # no has_more: the cursor decides
    ([(None, "c1"), (None, "c1")], 2),                   # a repeating cursor never loops
    ([(True, None)], 1),                                 # has_more without a cursor cannot go on
])
def test_paginator_stops_where_it_must(pages, expected):
    import json as jsonlib

    import requests

    from pipelines.luma.client import _paginator

    paginator = _paginator()
    asked = 0
    for has_more, cursor in pages:
        asked += 1
        response = requests.Response()
        body = {"entries": [], "next_cursor": cursor}
        if has_more is not None:
            body["has_more"] = has_more
        response._content = jsonlib.dumps(body).encode()
        paginator.update_state(response, [])
        if not paginator.has_next_page:
            break
    assert asked == expected

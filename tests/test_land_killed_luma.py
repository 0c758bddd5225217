"""A Luma landing (merge disposition, where a replayed or half-applied load would duplicate rows)
KILLED mid-run, then rerun; and a 500 in the middle of the events listing through `land.land` (the
`cutover land` path, with its ledger). How the kill is placed: tests/killed_landing.py."""

from __future__ import annotations

import os
import time

import pytest

from pipelines import land
from pipelines.errors import CutoverError
from tests.standins.luma import LumaStandin
from tests.test_luma_live import counts as luma_counts
from tests.test_luma_live import make_events, make_guests
from tests.killed_landing import (
    start_landing, wait_for, sigkill, reap, fetch, backends, kill_while_its_load_waits,
    hold_locks, ledger, all_old_or_all_new,
)


def luma_rows(url):
    events = fetch(url, "select api_id, _dlt_load_id, record::text from raw_luma.events order by 1")
    guests = fetch(url, "select event_api_id, api_id, _dlt_load_id, record::text from raw_luma.guests order by 1, 2")
    return events, guests


@pytest.fixture
def luma_calendar(db_url, monkeypatch):
    """A stand-in calendar of 8 events x 5 guests already landed by run-first, which then grows to
    12 events (60 guests) and has a guest checked in: what the killed run was landing."""
    events = make_events(12)
    guests = make_guests(events, 5)
    with LumaStandin(events[:8], {e["api_id"]: guests[e["api_id"]] for e in events[:8]}, page_size=2) as luma:
        monkeypatch.setenv("LUMA_API_KEY", luma.api_key)
        monkeypatch.setenv("LUMA_BASE_URL", luma.url)
        land.land("luma", None, "run-first", db_url)
        assert luma_counts(db_url) == (8, 8, 40, 40)
        for event in events[8:]:
            luma.add_event(event)
            for guest in guests[event["api_id"]]:
                luma.add_guest(event["api_id"], guest)
        luma.check_in("evt-001", "gst-evt-001-0", at="2025-03-08T23:10:00.000Z")
        luma.reset_log()
        yield luma


def rerun_luma_and_check(db_url, luma):
    """A change after the kill must show: a replayed stale package from the killed run would undo it."""
    luma.rename_event("evt-003", "Renamed after the kill")
    land.land("luma", None, "run-rerun", db_url)
    assert luma_counts(db_url) == (12, 12, 60, 60)
    assert ledger(db_url, "run-rerun") == [("events", 12, 12), ("guests", 60, 60)]
    assert fetch(db_url, "select record->'event'->>'name' from raw_luma.events where api_id = 'evt-003'") == [("Renamed after the kill",)]
    assert fetch(db_url, "select record->'guest'->>'checked_in_at' from raw_luma.guests "
                         "where event_api_id = 'evt-001' and api_id = 'gst-evt-001-0'") == [("2025-03-08T23:10:00.000Z",)]
    assert fetch(db_url, "select count(*) from migration.count_ledger where run_id = 'run-killed'") == [(0,)]


def test_luma_landing_killed_mid_listing_then_rerun_has_no_duplicates(db_url, tmp_path, luma_calendar):
    luma = luma_calendar
    before = luma_rows(db_url)
    # the child's own limiter lets 10 requests through, then waits for the minute to pass: mid-listing
    # (the whole listing is 6 event pages + 36 guest pages)
    env = {**os.environ, "DATABASE_URL": db_url, "LUMA_API_KEY": luma.api_key, "LUMA_BASE_URL": luma.url,
           "LUMA_MAX_RPM": "10"}
    log = tmp_path / "child.log"
    proc = start_landing("luma", None, "run-killed", env, log)
    try:
        wait_for(lambda: len(luma.requests) >= 10, proc, "10 requests", log)
        time.sleep(0.3)
        assert len(luma.requests) == 10 and all(status == 200 for _, _, status in luma.requests)
        sigkill(proc)
    finally:
        reap(proc)
    assert luma_rows(db_url) == before  # the previous landing is intact, row for row

    rerun_luma_and_check(db_url, luma)


def test_luma_landing_killed_during_its_merge_then_rerun_has_no_duplicates(db_url, tmp_path, luma_calendar):
    luma = luma_calendar
    before_events, before_guests = luma_rows(db_url)
    env = {**os.environ, "DATABASE_URL": db_url, "LUMA_API_KEY": luma.api_key, "LUMA_BASE_URL": luma.url}
    log = tmp_path / "child.log"
    locker = hold_locks(db_url, ["raw_luma.events", "raw_luma.guests"])
    mine = backends(db_url)
    proc = start_landing("luma", None, "run-killed", env, log)

    def waits_in_its_merge(waiting):
        assert any("raw_luma" in q for (q,) in fetch(db_url, "select query from pg_stat_activity where pid = any(%s)", (list(waiting),)))
        assert len(luma.requests) == 6 + 36  # the listing was complete: this is the load

    kill_while_its_load_waits(db_url, proc, locker, mine, log, "the merge to wait for the raw tables", waits_in_its_merge)

    events, guests = luma_rows(db_url)
    all_old_or_all_new(events, before_events, {(f"evt-{i:03d}",) for i in range(12)}, "raw_luma.events")
    all_old_or_all_new(guests, before_guests, {(f"evt-{i:03d}", f"gst-evt-{i:03d}-{j}") for i in range(12) for j in range(5)},
                       "raw_luma.guests")
    assert luma_counts(db_url)[2:] in ((40, 40), (60, 60))

    rerun_luma_and_check(db_url, luma)


def test_luma_500_mid_events_listing_through_land_then_rerun(db_url, luma_calendar, monkeypatch):
    luma = luma_calendar
    before = luma_rows(db_url)
    monkeypatch.setenv("LUMA_MAX_ATTEMPTS", "2")
    monkeypatch.setenv("LUMA_BACKOFF", "0")
    luma.fail(status=500, times=100, path_contains="list-events", skip=2)  # event pages 1-2 served, page 3 dies
    with pytest.raises(CutoverError, match="Luma answered 500 for /v1/calendar/list-events"):
        land.land("luma", None, "run-500", db_url)
    assert [status for _, path, status in luma.requests if "list-events" in path] == [200, 200, 500, 500]
    assert luma_rows(db_url) == before
    assert ledger(db_url, "run-500") == []
    luma.clear_failures()
    rerun_luma_and_check(db_url, luma)


# ---------------------------------------------------------------- MongoDB snapshot (replace)


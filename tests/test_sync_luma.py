"""The incremental Luma sync end to end: the Luma stand-in (a real HTTP server), the real dlt source,
the Dagster job `sync_luma` through `cutover sync-luma`, and the live hello_miami tables after a
real `cutover apply`."""

from __future__ import annotations

import threading
import time
from datetime import datetime, timedelta, timezone

import pytest

from pipelines.database import connect
from tests.standins.luma import LumaStandin
from tests.test_cutover_apply import cli, dagster_db, dagster_env, seed_candidates, uid  # noqa: F401

NOW = datetime.now(timezone.utc)


def at(days: float) -> str:
    return (NOW + timedelta(days=days)).isoformat(timespec="seconds").replace("+00:00", "Z")


def luma_event(api_id: str, name: str, days: float) -> dict:
    return {"api_id": api_id, "name": name, "url": f"https://lu.ma/{api_id}", "start_at": at(days), "end_at": at(days + 0.1),
            "timezone": "America/New_York", "description": "hack night",
            "geo_address_info": {"type": "google", "place_name": "The Lab", "address": "1 Main St", "latitude": 25.77, "longitude": -80.19}}


def luma_guest(api_id: str, email: str, status: str = "approved") -> dict:
    return {"api_id": api_id, "email": email, "approval_status": status, "registered_at": at(-5), "event_tickets": [{"checked_in_at": None}]}


def calendar() -> tuple[list[dict], dict]:
    """Five events in the default window (2 days back .. 60 ahead), two outside it; the seeded
    live event evt-1 is one of the outside ones (Luma renamed it, the sync must not notice)."""
    events = [luma_event("evt-1", "Renamed long ago", -30), luma_event("evt-far", "Next year", 200)]
    events += [luma_event(f"evt-w{i}", f"Night {i}", d) for i, d in enumerate((-1, 1, 3, 10, 40))]
    guests = {"evt-w1": [luma_guest("gst-a", "A@example.org"), luma_guest("gst-x", "stranger@example.org")],
              "evt-w2": [luma_guest("gst-b", "b@example.org", status="declined")],
              "evt-1": [luma_guest("gst-a1", "a@example.org")]}
    return events, guests


@pytest.fixture
def live(db_url, dagster_env, monkeypatch):
    """A database after a real cutover (profiles a@ and b@, event evt-1 live), Luma env pointed at
    a stand-in with small pages (2) so that pagination shows in the request count."""
    with connect(db_url) as conn:
        seed_candidates(conn)
    assert cli("apply") == 0
    events, guests = calendar()
    with LumaStandin(events, guests, page_size=2) as luma:
        monkeypatch.setenv("LUMA_BASE_URL", luma.url)
        monkeypatch.setenv("LUMA_API_KEY", luma.api_key)
        monkeypatch.setenv("LUMA_PAGE_SIZE", "2")
        yield db_url, luma


def hashes(url: str) -> dict[str, str]:
    with connect(url) as conn:
        return {t: conn.execute(f"select md5(coalesce(string_agg(x::text, '|' order by x::text), '')) from hello_miami.{t} x").fetchone()[0]
                for t in ("events", "attendance")}


def last_sync(url: str) -> dict:
    with connect(url) as conn:
        row = conn.execute("""select status, requests, events_upserted, attendance_upserted, target_schema,
                                     extract(epoch from finished_at - started_at), error
                                from migration.luma_syncs order by sync_id desc limit 1""").fetchone()
    return dict(zip(("status", "requests", "events", "attendance", "target_schema", "seconds", "error"), row))


def attendance_of(url: str, email: str, event: str):
    with connect(url) as conn:
        return conn.execute("""select a.status, a.checked_in_at from hello_miami.attendance a join hello_miami.profiles p on p.id = a.member_id
                                where p.luma_email = %s and a.luma_event_id = %s""", (email, event)).fetchone()


def test_sync_keeps_live_events_and_attendance_current(live, capsys):
    url, luma = live
    capsys.readouterr()
    assert cli("sync-luma") == 0
    first = last_sync(url)
    print(f"\nfirst sync: {first['requests']} requests, {first['seconds']:.2f} s")
    assert first["status"] == "success" and first["target_schema"] == "hello_miami"
    assert (first["events"], first["attendance"]) == (5, 1)  # five window events new; a@ registered for evt-w1
    assert attendance_of(url, "a@example.org", "evt-w1") == ("registered", None)
    assert attendance_of(url, "b@example.org", "evt-w2") is None  # declined is not attendance
    assert "5 events and 1 attendance rows changed" in capsys.readouterr().out

    # after the cutover, a guest checks in at the door and an event is renamed in Luma
    luma.check_in("evt-w1", "gst-a", at=at(0.5), on="ticket")
    luma.rename_event("evt-w3", "Night 3: demo day")
    assert cli("sync-luma") == 0
    second = last_sync(url)
    assert (second["events"], second["attendance"]) == (2, 1)  # evt-w1's stats changed too
    status, checked_in_at = attendance_of(url, "a@example.org", "evt-w1")
    assert status == "checked-in" and checked_in_at is not None
    with connect(url) as conn:
        names = dict(conn.execute("select luma_event_id, name from hello_miami.events").fetchall())
        stats = conn.execute("select stats from hello_miami.events where luma_event_id = 'evt-w1'").fetchone()[0]
    assert names["evt-w3"] == "Night 3: demo day"
    assert stats == {"registered": 2, "checkedIn": 1}
    # outside the window: never read, never written
    assert names["evt-1"] == "Night" and "evt-far" not in names
    assert attendance_of(url, "a@example.org", "evt-1") == ("registered", None)  # the migrated row, not Luma's


def test_a_sync_with_nothing_changed_changes_no_row_and_costs_requests_per_window_event(live):
    url, luma = live
    assert cli("sync-luma") == 0
    before = hashes(url)
    luma.reset_log()
    started = time.monotonic()
    assert cli("sync-luma") == 0
    seconds = time.monotonic() - started
    assert hashes(url) == before
    sync = last_sync(url)
    assert (sync["events"], sync["attendance"]) == (0, 0)
    # 5 events in the window, pages of 2: 3 list-events pages + one get-guests page per event
    paths = [path for _, path, _ in luma.requests]
    assert paths.count("/v1/calendar/list-events") == 3
    assert sorted(p for p in paths if p != "/v1/calendar/list-events") == ["/v1/event/get-guests"] * 5
    assert sync["requests"] == len(paths) == 8
    guests_asked = sorted(params["event_api_id"] for _, path, _, params in luma.calls if path == "/v1/event/get-guests")
    assert guests_asked == [f"evt-w{i}" for i in range(5)]  # not evt-1 nor evt-far
    print(f"\nunchanged sync: {sync['requests']} requests, {seconds:.2f} s (command), {sync['seconds']:.2f} s (sync)")


def test_a_429_mid_sync_is_waited_out(live, monkeypatch):
    url, luma = live
    luma.max_rpm, luma.block_seconds = 3, 1  # the fourth request within a minute gets 429, Retry-After: 1
    assert cli("sync-luma") == 0
    sync = last_sync(url)
    statuses = [status for _, _, status in luma.requests]
    assert statuses.count(429) >= 1 and statuses[-1] == 200
    assert sync["status"] == "success" and sync["requests"] == len(statuses)  # the retried request is counted
    assert sync["seconds"] >= 1.0  # it waited Retry-After
    assert sync["events"] == 5 and attendance_of(url, "a@example.org", "evt-w1") == ("registered", None)


def test_a_sync_killed_earlier_is_marked_abandoned_by_the_next(live):
    url, _ = live
    with connect(url) as conn:
        conn.execute("insert into migration.luma_syncs (started_at, status) values (now() - interval '1 hour', 'running')")
    assert cli("sync-luma") == 0
    with connect(url) as conn:
        assert [r[0] for r in conn.execute("select status from migration.luma_syncs order by sync_id")] == ["abandoned", "success"]


def test_two_syncs_at_once_the_second_refuses_cleanly(live, capsys):
    url, luma = live
    luma.max_rpm, luma.block_seconds = 2, 1.5  # makes the first sync slow: every third request waits 1.5 s
    from assets.sync.luma_sync import run_sync, window

    outcome = {}
    first = threading.Thread(target=lambda: outcome.update(run_sync(url, window())))
    first.start()
    deadline = time.monotonic() + 30
    while not luma.requests and time.monotonic() < deadline:
        time.sleep(0.05)
    requests_before = len(luma.requests)
    capsys.readouterr()
    assert cli("sync-luma") == 0
    assert "another Luma sync" in capsys.readouterr().out
    first.join(timeout=120)
    assert outcome["status"] == "success"
    with connect(url) as conn:
        statuses = [r[0] for r in conn.execute("select status from migration.luma_syncs order by sync_id")]
    assert sorted(statuses) == ["skipped", "success"]
    # the refused sync sent nothing: every request belongs to the first one
    assert len(luma.requests) == outcome["requests"] >= requests_before


def test_before_the_first_cutover_the_sync_writes_the_candidates(db_url, dagster_env, monkeypatch):
    events, guests = calendar()
    with connect(db_url) as conn:
        conn.execute("insert into hello_miami_next.profiles (id, luma_email) values (%s, 'a@example.org')", (uid("cand-a"),))
    with LumaStandin(events, guests) as luma:
        monkeypatch.setenv("LUMA_BASE_URL", luma.url)
        monkeypatch.setenv("LUMA_API_KEY", luma.api_key)
        assert cli("sync-luma") == 0
    assert last_sync(db_url)["target_schema"] == "hello_miami_next"
    with connect(db_url) as conn:
        assert conn.execute("select count(*) from hello_miami_next.events").fetchone()[0] == 5
        assert conn.execute("select count(*) from hello_miami_next.attendance").fetchone()[0] == 1
        assert conn.execute("select count(*) from hello_miami.events").fetchone()[0] == 0


def test_missing_luma_key_is_one_sentence_and_recorded(db_url, dagster_env, monkeypatch, capsys):
    monkeypatch.setenv("LUMA_API_KEY", "")
    assert cli("sync-luma") == 1
    err = capsys.readouterr().err
    assert "LUMA_API_KEY is not set" in err and "Traceback" not in err
    sync = last_sync(db_url)
    assert sync["status"] == "failed" and "LUMA_API_KEY" in sync["error"]


def test_freshness_check_warns_when_the_last_successful_sync_is_old(live):
    url, _ = live
    import dagster as dg

    from assets.runner import run_job

    def evaluation():
        result = run_job("luma_freshness")
        assert result.success
        [check] = result.get_asset_check_evaluations()
        return check

    stale = evaluation()
    assert stale.passed is False and stale.severity == dg.AssetCheckSeverity.WARN  # no sync yet
    assert cli("sync-luma") == 0
    assert evaluation().passed is True
    with connect(url) as conn:
        conn.execute("update migration.luma_syncs set finished_at = now() - interval '2 hours'")
    old = evaluation()
    assert old.passed is False and "limit 60" in old.description


def test_schedule_and_tags(monkeypatch):
    import importlib

    import assets.sync.definitions as sync_defs

    assert sync_defs.sync_luma_schedule.cron_schedule == "*/15 * * * *"
    assert sync_defs.sync_luma_job.tags["cutover/exclusive"] == "true"
    monkeypatch.setenv("CUTOVER_SYNC_CRON", "*/5 * * * *")
    try:
        assert importlib.reload(sync_defs).sync_luma_schedule.cron_schedule == "*/5 * * * *"
    finally:
        monkeypatch.delenv("CUTOVER_SYNC_CRON")
        importlib.reload(sync_defs)


def test_the_sync_is_hello_miamis_its_live_schema_and_no_airtable_setting(db_url, dagster_env, monkeypatch):
    """Issue 18: with HELLO_MIAMI_SCHEMA=public (Hello Miami's tables where its own migrations put
    them) and its cutover in effect, the sync writes public.events and public.attendance, with no
    Airtable setting at all."""
    for name in ("AIRTABLE_API_KEY", "AIRTABLE_BASE_ID", "AIRTABLE_ENDPOINT_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HELLO_MIAMI_SCHEMA", "public")
    events, guests = calendar()
    from pipelines import registry

    with connect(db_url) as conn:  # all of Hello Miami's tables: a partial schema is refused
        for table in registry.APPLICATIONS["hello_miami"].tables:
            conn.execute(f"create table public.{table} (like hello_miami.{table} including all)")
        conn.execute("insert into public.profiles (id, luma_email) values (%s, 'a@example.org')", (uid("pub-a"),))
        # Hello Miami's cutover in effect; migration.cutovers.app (issue 13's revision) names whose
        has_app = conn.execute("""select exists (select 1 from information_schema.columns where table_schema = 'migration'
                                          and table_name = 'cutovers' and column_name = 'app')""").fetchone()[0]
        columns, values = ("run_id, status, app", "'dry-pub', 'applied', 'hello_miami'") if has_app else ("run_id, status", "'dry-pub', 'applied'")
        conn.execute(f"insert into migration.cutovers ({columns}) values ({values})")
    with LumaStandin(events, guests) as luma:
        monkeypatch.setenv("LUMA_BASE_URL", luma.url)
        monkeypatch.setenv("LUMA_API_KEY", luma.api_key)
        assert cli("sync-luma", "--app", "hello_miami") == 0
    assert last_sync(db_url)["target_schema"] == "public"
    with connect(db_url) as conn:
        counts = {t: conn.execute(f"select count(*) from {t}").fetchone()[0]
                  for t in ("public.events", "public.attendance", "hello_miami.events", "hello_miami_next.events")}
    assert counts == {"public.events": 5, "public.attendance": 1, "hello_miami.events": 0, "hello_miami_next.events": 0}
    with pytest.raises(SystemExit):  # Podium has no Luma sync
        cli("sync-luma", "--app", "podium")

"""Luma snapshots (`luma/events.jsonl`, `luma/guests.jsonl`) landed into raw_luma, the snapshot
writer against the stand-in, and malformed lines named by file:line."""

from __future__ import annotations

import datetime as dt

import pytest

from pipelines.errors import CutoverError
from tests.standins.luma import LumaStandin
from tests.test_luma_live import BASE, counts, cutover_error, fetch, land, live, make_events, make_guests


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


@pytest.mark.parametrize("shape,n_events,per_event", [("wrapped", 1, 1), ("flat", 9, 4), ("mixed", 9, 4)])
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
    ("events.jsonl", '{"event": {"name": "no id"}}'),
    ("events.jsonl", '{"api_id": "evt-nan", "guest_count": NaN}'),
    ("guests.jsonl", '{"api_id": "gst-no-event"}'),
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


def test_a_snapshot_landing_after_a_live_landing_merges_into_the_same_tables(db_url, tmp_path, monkeypatch):
    """Through the project's own pipeline (pipelines.land), as `cutover land` runs it: live entries
    arrive as rows, snapshot entries as Arrow tables, and both must fit the one raw table."""
    from pipelines import land as landing

    events = make_events(4)
    guests = make_guests(events, 2)
    write_snapshot(tmp_path / "snap", events, guests)
    with LumaStandin(events, guests, shape="mixed", page_size=2) as luma:
        monkeypatch.setenv("LUMA_BASE_URL", luma.url)
        monkeypatch.setenv("LUMA_API_KEY", luma.api_key)
        landing.run_source("luma", None, db_url)
        landing.run_source("luma", str(tmp_path / "snap"), db_url)
        assert counts(db_url) == (4, 4, 8, 8)
        landing.run_source("luma", None, db_url)  # and live again after the snapshot
    assert counts(db_url) == (4, 4, 8, 8)
    assert fetch(db_url, "select count(*) from raw_luma.guests where _dlt_id is null") == [(0,)]


def test_raw_luma_tables_landed_before_luma_carried_dlt_id_take_the_column(db_url, tmp_path):
    """A database whose raw_luma tables an earlier version landed from a snapshot (no `_dlt_id`,
    and a dlt schema without it) lands the next snapshot on top of them."""
    from pipelines import land as landing
    from pipelines.database import connect

    events = make_events(3)
    write_snapshot(tmp_path / "snap", events, make_guests(events, 2))
    landing.run_source("luma", str(tmp_path / "snap"), db_url)
    with connect(db_url) as conn:  # what the earlier version left behind
        conn.execute("alter table raw_luma.events drop column _dlt_id")
        conn.execute("alter table raw_luma.guests drop column _dlt_id")
        conn.execute("delete from raw_luma._dlt_version")
    landing.make_pipeline("luma", db_url).drop()
    landing.run_source("luma", str(tmp_path / "snap"), db_url)
    assert counts(db_url) == (3, 3, 6, 6)
    assert fetch(db_url, "select count(*) from raw_luma.guests where _dlt_id is null") == [(0,)]

"""Issue 15 item 1: a source lands all its tables or none. A landing that fails on the LAST table of
a source (a parse error the source finds late) leaves every raw table of that source exactly as the
previous landing left it, for each source; the CLI says so in one sentence naming the line."""

from __future__ import annotations

import json
import shutil

import pytest

from assets.cli import main
from pipelines.database import connect

RAW = {"airtable": ("users", "events", "projects", "votes", "referrals"),
       "luma": ("events", "guests")}


@pytest.fixture
def dagster_home(tmp_path, monkeypatch):
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "dagster"))
    monkeypatch.delenv("DAGSTER_PG_URL", raising=False)


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    out = tmp_path_factory.mktemp("sample") / "snap"
    assert main(["sample", "--out", str(out)]) == 0
    return out


def raw_state(url, source: str) -> dict[str, list[tuple]]:
    """Every row of every raw table of `source` (key, load id, record as text), sorted."""
    with connect(url) as conn:
        tables = [r[0] for r in conn.execute(
            "select table_name from information_schema.tables where table_schema = %s and table_name not like '\\_dlt%%'",
            (f"raw_{source}",)).fetchall()]
        state = {}
        for table in sorted(tables):
            rows = conn.execute(f'select to_jsonb(t) from raw_{source}."{table}" t').fetchall()
            state[table] = sorted(json.dumps(r[0], sort_keys=True) for r in rows)
        return state


def copy_snapshot(sample, tmp_path):
    bad = tmp_path / "bad"
    shutil.copytree(sample, bad)
    return bad


def adjust_manifest(snap, key: str, delta: int) -> None:
    manifest = json.loads((snap / "manifest.json").read_text())
    manifest["counts"][key] += delta
    (snap / "manifest.json").write_text(json.dumps(manifest))


def airtable_bad_snapshot(sample, tmp_path):
    """The issue's input: events.jsonl with 10 fewer events (manifest adjusted) and votes.jsonl
    line 2001 with broken JSON inside `fields`."""
    bad = copy_snapshot(sample, tmp_path)
    events = (bad / "airtable" / "events.jsonl").read_text().splitlines(keepends=True)
    (bad / "airtable" / "events.jsonl").write_text("".join(events[:-10]))
    adjust_manifest(bad, "airtable.events", -10)
    votes = (bad / "airtable" / "votes.jsonl").read_text().splitlines(keepends=True)
    assert '"fields":{' in votes[2000]
    votes[2000] = votes[2000].replace('"fields":{', '"fields":{BAD', 1)
    (bad / "airtable" / "votes.jsonl").write_text("".join(votes))
    return bad


def land_good_then_bad(db_url, sample, bad, source, capsys):
    assert main(["land", "--snapshot", str(sample)]) == 0
    before = raw_state(db_url, source)
    assert before and all(before.values())
    capsys.readouterr()
    assert main(["land", "--snapshot", str(bad)]) == 1
    err = capsys.readouterr().err
    assert raw_state(db_url, source) == before, f"raw_{source} changed although its landing failed"
    return err


def test_airtable_parse_error_in_the_last_table_leaves_every_table(db_url, sample, tmp_path, dagster_home, capsys):
    err = land_good_then_bad(db_url, sample, airtable_bad_snapshot(sample, tmp_path), "airtable", capsys)
    assert "votes.jsonl:2001" in err.strip().splitlines()[-1]


def test_mongo_parse_error_in_the_last_collection_leaves_every_table(db_url, sample, tmp_path, dagster_home, capsys):
    bad = copy_snapshot(sample, tmp_path)
    with (bad / "mongo" / "demo_slots.bson").open("ab") as handle:  # the last collection extracted
        handle.write(b"\x40\x00\x00\x00\x02name\x00")  # a document cut off mid-string
    err = land_good_then_bad(db_url, sample, bad, "mongo", capsys)
    assert "demo_slots.bson: document 81 is not valid BSON" in err.strip().splitlines()[-1]


def test_luma_parse_error_in_the_last_table_leaves_every_table(db_url, sample, tmp_path, dagster_home, capsys):
    bad = copy_snapshot(sample, tmp_path)
    with (bad / "luma" / "guests.jsonl").open("a") as handle:
        handle.write('{"api_id": "gst-x", "guest": {BAD\n')
    adjust_manifest(bad, "luma.guests", 1)
    err = land_good_then_bad(db_url, sample, bad, "luma", capsys)
    assert "guests.jsonl:3001 is not valid JSON" in err.strip().splitlines()[-1]

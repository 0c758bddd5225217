"""The sample generator: determinism, the exact SPEC §2.4 layout, counts and BSON types."""

from __future__ import annotations

import argparse
import filecmp
import json
from pathlib import Path

import pytest

from tests.sample import command
from tests.sample.generate import generate

AIRTABLE = ("users", "events", "projects", "votes", "referrals")
MONGO = ("profiles", "projects", "badges", "member_badges", "events", "attendance", "pending_users",
         "luma_webhooks", "surveys", "survey_responses", "demo_slots")


@pytest.fixture(scope="module")
def small(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("sample") / "snap"
    generate(out, 0.05, 11)
    return out


def _files(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def test_layout_is_exactly_the_snapshot_format(small):
    expected = ["expected.json", "manifest.json", "airtable/schema.json"]
    expected += [f"airtable/{t}.jsonl" for t in AIRTABLE] + [f"mongo/{c}.bson" for c in MONGO]
    expected += ["luma/events.jsonl", "luma/guests.jsonl"]
    # and the rows already live that `cutover demo` writes into Hello Miami's live tables (not a source)
    expected += ["live/hello_miami.json"]
    assert _files(small) == sorted(expected)


def test_the_rows_already_live_match_sample_records_and_add_live_only_ones(small):
    """tests/sample/hm_live.py: some live profiles hold a migrated MongoDB profile's email and a live
    event a Luma event's id (with differing fields), others are live only."""
    import bson

    live = json.loads((small / "live" / "hello_miami.json").read_text())
    docs = bson.decode_all((small / "mongo" / "profiles.bson").read_bytes(),
                           bson.CodecOptions(datetime_conversion=bson.DatetimeConversion.DATETIME_AUTO))
    emails = {str(d.get("lumaEmail") or "").strip().lower() for d in docs}
    entries = [json.loads(line) for line in (small / "luma" / "events.jsonl").read_text().splitlines()]
    luma = {e.get("api_id") or e.get("event", e).get("api_id") or e.get("id") for e in entries}
    assert [p["luma_email"] in emails for p in live["profiles"]] == [True, True, True, False, False]
    assert [e["luma_event_id"] in luma for e in live["events"]] == [True, False]
    assert all(p.keys() == live["profiles"][0].keys() for p in live["profiles"])  # one column list per table


def test_manifest_counts_equal_records_in_each_file(small):
    import bson

    manifest = json.loads((small / "manifest.json").read_text())
    counts = manifest["counts"]
    assert manifest["captured_at"].endswith("Z")
    assert set(counts) == {f"airtable.{t}" for t in AIRTABLE} | {f"mongo.{c}" for c in MONGO} | {"luma.events", "luma.guests"}
    for t in AIRTABLE:
        lines = (small / "airtable" / f"{t}.jsonl").read_text(encoding="utf-8").splitlines()
        assert len(lines) == counts[f"airtable.{t}"] > 0
        rec = json.loads(lines[0])
        assert set(rec) == {"id", "createdTime", "fields"} and len(rec["id"]) == 17 and rec["id"].startswith("rec")
    for c in MONGO:
        docs = bson.decode_all((small / "mongo" / f"{c}.bson").read_bytes(),
                               bson.CodecOptions(datetime_conversion=bson.DatetimeConversion.DATETIME_AUTO))
        assert len(docs) == counts[f"mongo.{c}"] > 0
    for t in ("events", "guests"):
        assert len((small / "luma" / f"{t}.jsonl").read_text().splitlines()) == counts[f"luma.{t}"] > 0


def test_same_seed_same_bytes_other_seed_other_bytes(tmp_path):
    generate(tmp_path / "a", 0.05, 3)
    generate(tmp_path / "b", 0.05, 3)
    generate(tmp_path / "c", 0.05, 4)
    files = _files(tmp_path / "a")
    assert files == _files(tmp_path / "b")
    match, mismatch, errors = filecmp.cmpfiles(tmp_path / "a", tmp_path / "b", files, shallow=False)
    assert mismatch == [] and errors == []
    _, differ, _ = filecmp.cmpfiles(tmp_path / "a", tmp_path / "c", files, shallow=False)
    assert "airtable/users.jsonl" in differ and "mongo/profiles.bson" in differ


def test_bson_keeps_special_types_and_dates_beyond_9999(small):
    import bson
    from bson import Binary, Decimal128, DatetimeMS, Int64, ObjectId

    opts = bson.CodecOptions(tz_aware=True, datetime_conversion=bson.DatetimeConversion.DATETIME_AUTO)

    def docs(name):
        return bson.decode_all((small / "mongo" / f"{name}.bson").read_bytes(), opts)

    profiles = docs("profiles")
    assert all(isinstance(d["_id"], ObjectId) for d in profiles)
    assert any(isinstance(d.get("streakCount"), Int64) for d in profiles)
    far = [d for d in profiles if isinstance(d.get("updatedAt"), DatetimeMS)]
    assert len(far) == 1 and far[0]["updatedAt"].as_datetime  # year > 9999 survives as DatetimeMS
    assert int(far[0]["updatedAt"]) > 253402300799999
    assert any(isinstance(d.get("fundingGoal"), Decimal128) for d in docs("projects"))
    hooks = docs("luma_webhooks")
    assert any(isinstance(d["payload"].get("raw"), (Binary, bytes)) for d in hooks)
    assert any(isinstance(d["payload"]["data"].get("expires_at"), DatetimeMS) for d in hooks)
    created = profiles[0].get("createdAt") or profiles[1]["createdAt"]
    assert created.tzinfo is not None


def test_command_prints_one_line_and_exits_zero(tmp_path, capsys):
    status = command.run(argparse.Namespace(out=str(tmp_path / "s"), scale=0.02, seed=5))
    out = capsys.readouterr().out.strip().splitlines()
    assert status == 0 and len(out) == 1 and "sample written to" in out[0]
    assert (tmp_path / "s" / "manifest.json").exists()


def test_command_rejects_a_non_positive_scale(tmp_path):
    from pipelines.errors import CutoverError

    with pytest.raises(CutoverError, match="--scale"):
        command.run(argparse.Namespace(out=str(tmp_path / "s"), scale=-1, seed=5))

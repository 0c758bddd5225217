"""Landing Podium's Airtable base into raw_airtable: snapshot and live (stand-in), the count
ledger's first hops, the land gate, and the failure paths (malformed line, 500, killed run)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import pytest

from expectations.phase import land_gate
from pipelines import land
from pipelines.airtable import client
from pipelines.database import connect
from pipelines.errors import CutoverError, GateFailed
from tests.standins.airtable import AirtableStandIn, podium_tables, schema_for, write_snapshot


def raw_counts(url):
    with connect(url) as conn:
        return {t: conn.execute(f"select count(*), count(distinct id) from raw_airtable.{t}").fetchone()
                for t in ("users", "events", "projects", "votes", "referrals")}


def gate_rows(url, run_id):
    with connect(url) as conn:
        return conn.execute("select name, severity, passed, message from migration.gate_results where run_id = %s order by name",
                            (run_id,)).fetchall()


@pytest.fixture
def live(monkeypatch):
    def use(standin):
        for key, value in standin.env().items():
            monkeypatch.setenv(key, value)
        monkeypatch.setattr(client, "_limiters", {})
    return use


def test_snapshot_landing_keeps_records_whole_and_records_ledger_and_gate(db_url, tmp_path):
    tables = podium_tables(30)
    write_snapshot(tmp_path, tables, schema=schema_for(tables))
    land.land("airtable", str(tmp_path), "run-1", db_url)
    assert raw_counts(db_url) == {t: (30, 30) for t in tables}
    with connect(db_url) as conn:
        attendees, typ = conn.execute(
            "select fields->'attendees', jsonb_typeof(fields->'attendees') from raw_airtable.events where id = %s",
            (tables["events"][0]["id"],)).fetchone()
        child_tables = conn.execute("select count(*) from information_schema.tables where table_schema = 'raw_airtable' and table_name like '%%\\_\\_%%'").fetchone()[0]
        ledger = conn.execute("select source_table, source_count, landed from migration.count_ledger where run_id = 'run-1' order by 1").fetchall()
        created = conn.execute("select created_time::text from raw_airtable.users where id = %s", (tables["users"][0]["id"],)).fetchone()[0]
    assert typ == "array" and attendees == tables["events"][0]["fields"]["attendees"]
    assert child_tables == 0  # no link arrays exploded into child tables
    assert created.startswith("2024-01-01 12:00:00")
    assert ledger == [(t, 30, 30) for t in sorted(tables)]
    assert all(passed for _, _, passed, _ in gate_rows(db_url, "run-1"))


@pytest.mark.parametrize("broken", [
    '{"id": "recBroken", "createdTime": "2024-01-01T00:00:00Z", "fields": {"name": ',  # caught while reading
    '{"id": "recBroken", "createdTime": "2024-01-01T00:00:00Z", "fields": {"name": oops}}',  # caught by COPY, then named
    '{"createdTime": "2024-01-01T00:00:00Z", "fields": {"name": oops}, "id": "recBroken"}',  # sorted keys
], ids=["truncated", "invalid-inside-fields", "sorted-keys-invalid-inside-fields"])
def test_malformed_line_names_file_and_line_and_keeps_the_previous_landing(db_url, tmp_path, broken):
    tables = podium_tables(20)
    write_snapshot(tmp_path, tables)
    land.land("airtable", str(tmp_path), "run-ok", db_url)
    with connect(db_url) as conn:
        before = conn.execute("select id, _dlt_load_id from raw_airtable.events order by id").fetchall()
    path = tmp_path / "airtable" / "events.jsonl"
    lines = path.read_text().splitlines()
    lines[6] = broken
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(CutoverError, match=r"events\.jsonl:7"):
        land.land("airtable", str(tmp_path), "run-bad", db_url)
    with connect(db_url) as conn:
        after = conn.execute("select id, _dlt_load_id from raw_airtable.events order by id").fetchall()
    assert after == before and len(after) == 20


def test_missing_feature_flags_csv_in_the_schema_fails_the_land_gate_by_name(db_url, tmp_path):
    tables = podium_tables(10)
    write_snapshot(tmp_path, tables, schema=schema_for(tables, drop={"events": ["feature_flags_csv"]}))
    land.land("airtable", str(tmp_path), "run-gate", db_url)  # lands: the gate is the gate layer's
    with pytest.raises(GateFailed, match="feature_flags_csv"):
        land_gate(db_url, "run-gate", str(tmp_path), ["airtable"])
    failed = [row for row in gate_rows(db_url, "run-gate") if not row[2]]
    assert [(name, severity) for name, severity, _, _ in failed] == [
        ("raw_airtable.events: mapped fields exist in the source schema", "error")]
    assert "events.feature_flags_csv" in failed[0][3]


def test_without_a_schema_a_field_in_no_record_is_only_a_warning(db_url, tmp_path):
    tables = podium_tables(10)
    for record in tables["events"]:
        del record["fields"]["votable"]
    write_snapshot(tmp_path, tables)
    land.land("airtable", str(tmp_path), "run-warn", db_url)
    land_gate(db_url, "run-warn", str(tmp_path), ["airtable"])  # does not raise
    rows = [row for row in gate_rows(db_url, "run-warn") if not row[2]]
    assert [(name, severity) for name, severity, _, _ in rows] == [("raw_airtable.events: mapped fields occur in the records", "warning")]
    assert "votable" in rows[0][3]


def test_live_landing_from_the_standin(db_url, live):
    tables = podium_tables(130)
    with AirtableStandIn(tables, table_ids={"users": "tblUsers"}) as standin:
        live(standin)
        land.land("airtable", None, "run-live", db_url)
    assert raw_counts(db_url) == {t: (130, 130) for t in tables}
    assert standin.count(429) == 0
    with connect(db_url) as conn:
        ledger = conn.execute("select source_table, source_count, landed from migration.count_ledger where run_id = 'run-live' order by 1").fetchall()
    assert ledger == [(t, 130, 130) for t in sorted(tables)]
    assert all(passed for _, _, passed, _ in gate_rows(db_url, "run-live"))


@pytest.mark.slow  # three rate-limited listings (~17 s): .ci/run's slow step
def test_a_500_mid_listing_fails_and_the_rerun_leaves_no_duplicates(db_url, live):
    tables = podium_tables(250)
    with AirtableStandIn(tables) as standin:
        live(standin)
        land.land("airtable", None, "run-first", db_url)
    # the tables are listed concurrently: requests 6-39 all fail, so whichever requests are in flight
    # then meet 500 on every one of their four attempts (5 tables x 4 < 34) and the listing dies mid-way
    with AirtableStandIn(tables, fail={n: 500 for n in range(6, 40)}) as standin:
        live(standin)
        with pytest.raises(CutoverError, match="HTTP 500"):
            land.land("airtable", None, "run-500", db_url)
    assert raw_counts(db_url) == {t: (250, 250) for t in tables}  # the earlier landing is intact
    with AirtableStandIn(tables) as standin:
        live(standin)
        land.land("airtable", None, "run-rerun", db_url)
    assert raw_counts(db_url) == {t: (250, 250) for t in tables}


def test_a_killed_run_then_a_rerun_lands_exact_counts(db_url, tmp_path, live):
    tables = podium_tables(400)
    with AirtableStandIn(tables) as standin:
        env = {**os.environ, **standin.env(), "DATABASE_URL": db_url, "DAGSTER_HOME": str(tmp_path / "dagster")}
        code = "from pipelines import land; land.land('airtable', None, 'run-killed')"
        proc = subprocess.Popen([sys.executable, "-c", code], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 60
        while len(standin.log) < 12 and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.05)
        proc.kill()
        proc.wait()
        assert proc.returncode != 0 and len(standin.log) >= 12  # killed mid-listing
    with AirtableStandIn(tables) as standin:
        live(standin)
        land.land("airtable", None, "run-after-kill", db_url)
    assert raw_counts(db_url) == {t: (400, 400) for t in tables}

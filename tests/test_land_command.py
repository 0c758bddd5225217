"""`cutover land --snapshot DIR` and the land assets under Dagster: every raw table holds exactly the
manifest's count; a failed land gate exits 3; a malformed file exits 1 with file:line."""

from __future__ import annotations

import json
from pathlib import Path

import dagster as dg
import pytest

from assets.cli import main
from pipelines.database import connect
from tests.standins.airtable import podium_tables, schema_for, write_snapshot

MONGO = ["profiles", "projects", "badges", "member_badges", "events", "attendance", "pending_users",
         "luma_webhooks", "surveys", "survey_responses", "demo_slots"]


def write_full_snapshot(out, n=12, schema=True):
    """A tiny snapshot of all three sources (SPEC §2.4 layout)."""
    tables = podium_tables(n)
    write_snapshot(out, tables, schema=schema_for(tables) if schema else None)
    manifest = json.loads((out / "manifest.json").read_text())
    (out / "mongo").mkdir()
    for c, name in enumerate(MONGO):
        with (out / "mongo" / f"{name}.json").open("w") as handle:
            for i in range(3):
                doc = {"_id": {"$oid": f"65a{c:05d}{i:016d}"}, "createdAt": {"$date": "2024-01-01T00:00:00Z"}, "name": f"{name} {i}"}
                handle.write(json.dumps(doc) + "\n")
        manifest["counts"][f"mongo.{name}"] = 3
    (out / "luma").mkdir()
    with (out / "luma" / "events.jsonl").open("w") as handle:
        for i in range(2):
            event = {"api_id": f"evt-{i}", "name": f"Hack night {i}", "start_at": "2024-01-01T23:00:00Z", "url": "u", "timezone": "UTC"}
            handle.write(json.dumps({"api_id": f"evt-{i}", "event": event} if i else event) + "\n")
    with (out / "luma" / "guests.jsonl").open("w") as handle:
        for i in range(4):
            guest = {"api_id": f"gst-{i}", "email": f"g{i}@example.org", "approval_status": "approved"}
            handle.write(json.dumps({"event_api_id": f"evt-{i % 2}", "api_id": f"gst-{i}", "guest": guest}) + "\n")
    manifest["counts"].update({"luma.events": 2, "luma.guests": 4})
    (out / "manifest.json").write_text(json.dumps(manifest))
    return manifest


def raw_table_counts(url):
    with connect(url) as conn:
        rows = conn.execute(
            """select table_schema, table_name from information_schema.tables
                where table_schema in ('raw_airtable', 'raw_mongo', 'raw_luma') and table_name not like '\\_dlt%%'"""
        ).fetchall()
        return {f"{schema.removeprefix('raw_')}.{table}": conn.execute(f'select count(*) from {schema}."{table}"').fetchone()[0]
                for schema, table in rows}


@pytest.fixture
def dagster_home(tmp_path, monkeypatch):
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "dagster"))
    monkeypatch.delenv("DAGSTER_PG_URL", raising=False)


def test_cutover_land_lands_exactly_the_manifest_counts(db_url, tmp_path, dagster_home, capsys):
    snap = tmp_path / "snap"
    snap.mkdir()
    manifest = write_full_snapshot(snap)
    assert main(["land", "--snapshot", str(snap)]) == 0
    assert raw_table_counts(db_url) == manifest["counts"]
    with connect(db_url) as conn:
        run = conn.execute("select run_id, job, snapshot_dir, captured_at, status from migration.runs").fetchall()
        ledger = conn.execute("select count(*), count(*) filter (where source_count = landed) from migration.count_ledger").fetchone()
    assert len(run) == 1 and run[0][1] == "land" and run[0][2] == str(snap) and run[0][4] == "succeeded"
    assert run[0][3].isoformat().startswith("2024-02-01T00:00:00")  # the manifest's captured_at
    assert ledger == (len(manifest["counts"]), len(manifest["counts"]))
    # a second landing replaces Airtable and Mongo, merges Luma: still exactly the manifest's counts
    assert main(["land", "--snapshot", str(snap)]) == 0
    assert raw_table_counts(db_url) == manifest["counts"]


def test_cutover_land_exits_3_when_the_gate_fails(db_url, tmp_path, dagster_home, capsys):
    snap = tmp_path / "snap"
    snap.mkdir()
    write_full_snapshot(snap)
    manifest = json.loads((snap / "manifest.json").read_text())
    manifest["counts"]["airtable.users"] += 1  # the source claims one record more than landed
    (snap / "manifest.json").write_text(json.dumps(manifest))
    assert main(["land", "--snapshot", str(snap)]) == 3
    err = capsys.readouterr().err
    # the GX land suite (the blocking check on the raw assets) names the table and both counts
    assert "raw_airtable.users: landed count = source count" in err and "landed 12, source reported 13" in err


def test_cutover_land_exits_1_naming_the_malformed_line(db_url, tmp_path, dagster_home, capsys):
    snap = tmp_path / "snap"
    snap.mkdir()
    write_full_snapshot(snap)
    with (snap / "airtable" / "votes.jsonl").open("a") as handle:
        handle.write("not json\n")
    assert main(["land", "--snapshot", str(snap)]) == 1
    last = capsys.readouterr().err.strip().splitlines()[-1]  # the CLI's sentence (Dagster logs above it)
    assert last.startswith("cutover land: ") and "votes.jsonl:13: malformed JSON" in last


def test_materialize_land_assets_against_db_url(db_url, tmp_path):
    from assets.land.definitions import land_assets
    from assets.resources import SourcesResource, application_databases

    snap = tmp_path / "snap"
    snap.mkdir()
    write_full_snapshot(snap)
    result = dg.materialize(
        [land_assets("airtable")],
        resources={"sources": SourcesResource(snapshot_dir=str(snap)), **application_databases(db_url)},
    )
    assert result.success
    materialized = {m.asset_key.to_user_string(): m.metadata for m in result.get_asset_materialization_events() and
                    [e.event_specific_data.materialization for e in result.get_asset_materialization_events()]}
    assert set(materialized) == {f"raw_airtable/{t}" for t in ("users", "events", "projects", "votes", "referrals")}
    assert materialized["raw_airtable/users"]["rows_landed"].value == 12
    assert materialized["raw_airtable/users"]["source_count"].value == 12
    assert materialized["raw_airtable/users"]["duration_s"].value > 0
    # the catalog's conventions, and no local path (dlt's load-file "jobs") in any metadata
    assert materialized["raw_airtable/users"]["dagster/row_count"].value == 12
    columns = {c.name: c for c in materialized["raw_airtable/users"]["dagster/column_schema"].value.columns}
    assert columns["id"].type == "character varying" and "fields" in columns
    dumped = json.dumps({k: {m: str(v) for m, v in md.items()} for k, md in materialized.items()})
    assert str(tmp_path) not in dumped and "/tmp/" not in dumped and str(Path.cwd()) not in dumped
    with connect(db_url) as conn:
        assert conn.execute("select count(*) from migration.count_ledger where run_id = %s", (result.run_id,)).fetchone()[0] == 5

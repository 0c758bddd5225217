"""`cutover snapshot`'s Airtable part: capture the live base (stand-in) in the §2.4 layout, then land
the snapshot offline with exactly the captured counts and the captured schema."""

from __future__ import annotations

import json

import pytest

from expectations.phase import land_gate
from pipelines import land
from pipelines.airtable import client
from pipelines.airtable.snapshot import write
from pipelines.database import connect
from pipelines.errors import GateFailed
from pipelines.snapshot import write_manifest
from tests.standins.airtable import AirtableStandIn, podium_tables, schema_for


def test_capture_then_land_offline(db_url, tmp_path, monkeypatch):
    tables = podium_tables(120)
    schema = schema_for(tables, drop={"events": ["feature_flags_csv"]})  # the base lacks the field
    with AirtableStandIn(tables, schema=schema, expire_offsets_on={4}) as standin:
        for key, value in standin.env().items():
            monkeypatch.setenv(key, value)
        monkeypatch.setattr(client, "_limiters", {})
        counts = write(str(tmp_path))
    assert counts == {t: 120 for t in tables}
    assert json.loads((tmp_path / "airtable" / "schema.json").read_text()) == schema
    lines = (tmp_path / "airtable" / "users.jsonl").read_text().splitlines()
    assert [json.loads(line) for line in lines] == tables["users"]
    assert not list(tmp_path.glob("airtable/*.partial"))
    write_manifest(tmp_path, {f"airtable.{t}": n for t, n in counts.items()}, "2024-03-01T00:00:00Z")
    for key in ("AIRTABLE_API_KEY", "AIRTABLE_BASE_ID", "AIRTABLE_ENDPOINT_URL"):
        monkeypatch.delenv(key)  # offline from here
    land.land("airtable", str(tmp_path), "run-snapshot", db_url)
    with pytest.raises(GateFailed, match="feature_flags_csv"):  # the schema the snapshot wrote lacks it
        land_gate(db_url, "run-snapshot", str(tmp_path), ["airtable"])
    with connect(db_url) as conn:
        assert conn.execute("select count(distinct id) from raw_airtable.users").fetchone()[0] == 120

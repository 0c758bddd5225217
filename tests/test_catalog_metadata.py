"""The catalog's conventions on the transform's materializations: `dagster/row_count` equal to the
table's rows, `dagster/column_schema` read from PostgreSQL (nullability included), code references
to each model's `.sql` relative to the repository, and no local file path in any metadata."""

from __future__ import annotations

import json
from pathlib import Path

import dagster as dg

from tests.model_fixtures import airtable, rows, run_transform, transform_groups

REPO = Path(__file__).resolve().parents[1]


def _materializations(instance, run_id: str) -> dict[dg.AssetKey, dict]:
    events = instance.all_logs(run_id, of_type=dg.DagsterEventType.ASSET_MATERIALIZATION)
    return {e.dagster_event.asset_key: e.dagster_event.event_specific_data.materialization.metadata for e in events}


def test_row_count_column_schema_and_no_local_paths(db_url):
    airtable(db_url, "users", [
        {"id": "recU1", "createdTime": "2024-01-01T00:00:00Z", "fields": {"email": "a@x.io", "first_name": "A"}},
        {"id": "recU2", "createdTime": "2024-01-02T00:00:00Z", "fields": {"email": "b@x.io"}},
    ])
    instance = dg.DagsterInstance.ephemeral()
    run_id = run_transform(db_url, groups=transform_groups("podium"), instance=instance)
    found = _materializations(instance, run_id)
    for key in (dg.AssetKey(["staging", "stg_airtable__users"]), dg.AssetKey(["podium_next", "users"])):
        metadata = found[key]
        table = ".".join(key.path)
        assert metadata["dagster/row_count"].value == rows(db_url, f"select count(*) from {table}")[0][0] == 2
        columns = {c.name: c for c in metadata["dagster/column_schema"].value.columns}
        schema, name = key.path
        expected = rows(db_url, "select column_name, is_nullable from information_schema.columns"
                                " where table_schema = %s and table_name = %s", (schema, name))
        assert set(columns) == {c for c, _ in expected}
        assert all(columns[c].constraints.nullable == (n == "YES") for c, n in expected)
        assert "row_count" not in metadata
    assert columns["email"].constraints.nullable is False and columns["email"].type == "character varying(255)"
    dumped = json.dumps({str(k): {m: str(v) for m, v in md.items()} for k, md in found.items()})
    assert str(REPO) not in dumped and "/tmp/" not in dumped


def test_models_link_their_sql_file_relative_to_the_repository():
    from assets.transform.models import build_assets

    for assets_def in build_assets():
        for key, metadata in assets_def.metadata_by_key.items():
            [reference] = metadata["dagster/code_references"].code_references
            assert not Path(reference.file_path).is_absolute(), key
            assert (REPO / reference.file_path).is_file() and reference.file_path.endswith(f"{key.path[-1]}.sql")


def test_with_a_git_url_the_references_link_into_the_repository(monkeypatch):
    from assets.transform.models import build_assets

    monkeypatch.setenv("CUTOVER_GIT_URL", "https://github.com/org/cutover/tree/release")
    [assets_def, *_] = build_assets()
    [reference] = next(iter(assets_def.metadata_by_key.values()))["dagster/code_references"].code_references
    assert reference.url.startswith("https://github.com/org/cutover/tree/release/sql_models/")
    assert reference.url.endswith(".sql#L1")

"""Helpers for the SQL model tests: raw tables of the landing contract's shape, hand-written raw
rows, and a run of the transform assets (real Dagster, real PostgreSQL) under a known run id."""

from __future__ import annotations

import json
import uuid
from functools import cache
from pathlib import Path

from pipelines.database import connect

MODELS = Path(__file__).resolve().parents[1] / "sql_models"
CAPTURED_AT = "2026-01-15T12:00:00+00:00"


def oid(n: int, ts: int = 1_700_000_000) -> str:
    """A deterministic ObjectId hex: 4 bytes of epoch seconds, then a counter."""
    return f"{ts:08x}{n:016x}"


def create_raw_tables(url: str) -> None:
    with connect(url, autocommit=True) as conn:
        conn.execute((MODELS / "raw_contract.sql").read_text())


def airtable(url: str, table: str, records: list[dict]) -> None:
    """records: {"id", "createdTime", "fields"} as the Airtable API returns them."""
    create_raw_tables(url)
    with connect(url, autocommit=True) as conn, conn.cursor() as cur:
        cur.executemany(
            f"insert into raw_airtable.{table} (id, created_time, fields, _dlt_load_id, _dlt_id) values (%s, %s, %s, '1', %s)",
            [(r["id"], r.get("createdTime"), json.dumps(r.get("fields", {})), uuid.uuid4().hex) for r in records],
        )


def mongo(url: str, collection: str, docs: list[dict]) -> None:
    """docs: Extended JSON (relaxed) documents, `_id` as {"$oid": hex}."""
    create_raw_tables(url)
    with connect(url, autocommit=True) as conn, conn.cursor() as cur:
        cur.executemany(
            f"insert into raw_mongo.{collection} (_id, document, bson_flags, _dlt_load_id, _dlt_id) values (%s, %s, '[]', '1', %s)",
            [(d["_id"]["$oid"], json.dumps(d), uuid.uuid4().hex) for d in docs],
        )


def luma_events(url: str, entries: list[dict]) -> None:
    create_raw_tables(url)
    with connect(url, autocommit=True) as conn, conn.cursor() as cur:
        cur.executemany(
            "insert into raw_luma.events (api_id, record, _dlt_load_id, _dlt_id) values (%s, %s, '1', %s)",
            [(e.get("api_id") or e.get("event", e).get("api_id") or e.get("id"), json.dumps(e), uuid.uuid4().hex) for e in entries],
        )


def luma_guests(url: str, event_api_id: str, entries: list[dict]) -> None:
    create_raw_tables(url)
    with connect(url, autocommit=True) as conn, conn.cursor() as cur:
        cur.executemany(
            "insert into raw_luma.guests (event_api_id, api_id, record, _dlt_load_id, _dlt_id) values (%s, %s, %s, '1', %s)",
            [(event_api_id, e.get("api_id") or e.get("guest", e).get("api_id"), json.dumps(e), uuid.uuid4().hex) for e in entries],
        )


def transform_groups(*apps: str) -> list[str]:
    """The transform's groups (every layer after landing) of `apps`, default both."""
    from assets.jobs import dry_run_groups

    return [g for g in dry_run_groups(*apps) if not g.endswith("_raw")]


@cache
def _assets():
    from assets.land.live import live_assets
    from assets.transform.models import build_assets

    # the live landing (group <app>_raw) too: the models read raw_live_<app>
    return build_assets() + [live_assets(app) for app in ("podium", "hello_miami")]


def run_transform(url: str, run_id: str | None = None, captured_at: str = CAPTURED_AT, groups=None, instance=None) -> str:
    """Materialize the transform assets (all layers, or `groups`) under `run_id` (in `instance`, to
    read its events; default an ephemeral one); returns the run id."""
    import dagster as dg

    from assets.resources import application_databases

    create_raw_tables(url)
    run_id = run_id or str(uuid.uuid4())
    with connect(url, autocommit=True) as conn:
        conn.execute(
            "insert into migration.runs (run_id, job, started_at, status, captured_at) values (%s, 'test', now(), 'running', %s)"
            " on conflict (run_id) do nothing",
            (run_id, captured_at),
        )
    from assets.land.live import live_keys

    selection = dg.AssetSelection.groups(*(groups or transform_groups())) | dg.AssetSelection.assets(
        *(key for app in ("podium", "hello_miami") for key in live_keys(app)))
    defs = dg.Definitions(
        assets=_assets(),
        jobs=[dg.define_asset_job("transform_test", selection=selection)],
        resources=application_databases(url),
    )
    result = defs.resolve_job_def("transform_test").execute_in_process(run_id=run_id, instance=instance or dg.DagsterInstance.ephemeral())
    assert result.success
    return run_id


def rows(url: str, sql: str, params=()) -> list[tuple]:
    with connect(url, autocommit=True) as conn:
        return conn.execute(sql, params).fetchall()

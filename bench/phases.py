"""The benchmark's phases, run in order by `python -m bench`. Each takes the Context, may add
figures, and returns nothing; see bench/__init__.py for how to add one."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid

from bench.context import Context


def sample(ctx: Context) -> None:
    """`cutover sample --scale F` into the work dir, reused when a previous bench wrote it."""
    if ctx.sample_dir is None:
        ctx.sample_dir = ctx.work_dir / f"sample-scale{ctx.scale:g}-seed{ctx.seed}"
    if not (ctx.sample_dir / "manifest.json").is_file():
        with ctx.timed("sample_s"):
            subprocess.run([sys.executable, "-m", "assets.cli", "sample", "--out", str(ctx.sample_dir),
                            "--scale", f"{ctx.scale:g}", "--seed", str(ctx.seed)], check=True)
    from pipelines.snapshot import read_manifest

    counts = read_manifest(ctx.sample_dir).get("counts", {})
    ctx.figures["records"] = sum(counts.values())
    ctx.figures["snapshot_mb"] = round(sum(p.stat().st_size for p in ctx.sample_dir.rglob("*") if p.is_file()) / 2**20, 1)


def database(ctx: Context) -> None:
    """A fresh migrated database on the target server (DATABASE_URL's, else the embedded one)."""
    import migrations
    from pipelines.database import connect, database_url, with_database

    admin = database_url()
    name = f"bench_{uuid.uuid4().hex[:8]}"
    with connect(admin, autocommit=True) as conn:
        conn.execute(f'create database "{name}"')
    ctx.database_url = with_database(admin, name)
    ctx.figures["database"] = name
    migrations.upgrade(ctx.database_url)
    os.environ["DATABASE_URL"] = ctx.database_url


def land(ctx: Context) -> None:
    """The land phase as the pipeline runs it (dlt: Arrow batches -> CSV -> COPY, swap), every source,
    with the count ledger and land gate; the figure excludes nothing but Dagster's own overhead."""
    from pipelines import land as land_phase
    from pipelines.errors import GateFailed

    run_id = f"bench-{uuid.uuid4().hex[:8]}"
    per_source = {}
    started = time.perf_counter()
    for source in land_phase.SOURCES:
        if not land_phase.available(source) or not (ctx.sample_dir / source).is_dir():
            continue
        t0 = time.perf_counter()
        try:
            land_phase.land(source, str(ctx.sample_dir), run_id, ctx.database_url)
        except GateFailed as exc:  # the bench measures speed; a gate finding is reported, not fatal
            ctx.figures.setdefault("land_gate_findings", []).append(str(exc))
        per_source[source] = round(time.perf_counter() - t0, 3)
    ctx.figures["land_s"] = round(time.perf_counter() - started, 3)
    ctx.figures["land_per_source_s"] = per_source


def floor(ctx: Context) -> None:
    """A bare COPY of the same records as jsonb (see bench/floor.py); the ratio land / floor."""
    from bench.floor import copy_floor, floor_inputs

    inputs = floor_inputs(ctx.sample_dir, ctx.work_dir)
    ctx.figures["floor_records"] = sum(n for _, _, n in inputs)
    per_source: dict = {}
    ctx.figures["floor_s"] = round(copy_floor(ctx.database_url, inputs, per_source), 3)
    ctx.figures["floor_per_source_s"] = per_source
    ctx.figures["ratio_land_to_floor"] = round(ctx.figures["land_s"] / ctx.figures["floor_s"], 2)
    landed = ctx.figures.get("land_per_source_s", {})
    ctx.figures["ratio_per_source"] = {s: round(landed[s] / per_source[s], 2) for s in landed if per_source.get(s)}


def cleanup(ctx: Context) -> None:
    from pipelines.database import connect, database_url, with_database

    name = ctx.figures.get("database")
    if name:
        from pipelines.database import engine

        engine(ctx.database_url).dispose()
        with connect(with_database(database_url(), "postgres"), autocommit=True) as conn:
            conn.execute(f'drop database if exists "{name}" with (force)')


PHASES = [sample, database, land, floor, cleanup]
TARGET_RATIO = 3.0

"""Write one sample snapshot (SPEC §2.4) and expected.json beside it.

Podium (Airtable) and Hello Miami (MongoDB + Luma) draw from separate seeded streams, so they
can be written in two processes at large scales and give the same bytes either way.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from .common import Ctx, dumps, iso_z

PARALLEL_FROM_SCALE = 2.0


def _podium(out: str, scale: float, seed: int):
    from . import podium

    ctx = Ctx(scale, seed, "podium")
    podium.generate(ctx, Path(out))
    return ctx.tally, ctx.counts


def _hello_miami(out: str, scale: float, seed: int):
    from . import hello_miami

    ctx = Ctx(scale, seed, "hello_miami")
    hello_miami.generate(ctx, Path(out))
    return ctx.tally, ctx.counts


def generate(out: str | Path, scale: float = 1.0, seed: int = 42) -> dict:
    """Write the snapshot into `out` (replacing a previous sample there); return expected.json."""
    out = Path(out)
    for sub in ("airtable", "mongo", "luma", "live"):
        if (out / sub).is_dir():
            shutil.rmtree(out / sub)
    out.mkdir(parents=True, exist_ok=True)
    ctx = Ctx(scale, seed)
    if scale >= PARALLEL_FROM_SCALE:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("fork")) as pool:
            podium_future = pool.submit(_podium, str(out), scale, seed)
            parts = [_hello_miami(str(out), scale, seed), podium_future.result()]
    else:
        parts = [_podium(str(out), scale, seed), _hello_miami(str(out), scale, seed)]
    for tally, counts in parts:
        ctx.tally.update(tally)
        ctx.counts.update(counts)
    manifest = {"captured_at": iso_z(ctx.captured_at), "counts": dict(sorted(ctx.counts.items()))}
    (out / "manifest.json").write_text(dumps(manifest) + "\n", encoding="utf-8")
    expected = expected_json(ctx)
    (out / "expected.json").write_text(dumps(expected) + "\n", encoding="utf-8")
    return expected


def expected_json(ctx: Ctx) -> dict:
    t = ctx.tally
    classification = {}
    for table in sorted(t.fates):
        f = t.fates[table]
        source = ctx.counts.get(table, f["migrated"] + f["merged"] + f["quarantined"])
        classification[table] = {"source": source, "migrated": f["migrated"], "merged": f["merged"],
                                 "quarantined": f["quarantined"]}
    return {
        "captured_at": iso_z(ctx.captured_at),
        "scale": float(ctx.scale),
        "seed": ctx.seed,
        "targets": dict(sorted(t.targets.items())),
        "classification": classification,
        "quarantine_reasons": {k: dict(sorted(v.items())) for k, v in sorted(t.reasons.items()) if v},
        "merge_rules": {k: dict(sorted(v.items())) for k, v in sorted(t.merge_rules.items()) if v},
        "value_fixes": {k: dict(sorted(v.items())) for k, v in sorted(t.value_fixes.items()) if v},
        "conflicts": dict(sorted(t.conflicts.items())),
        "dirt": dict(sorted(t.dirt.items())),
    }

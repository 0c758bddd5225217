"""python -m bench [--scale 100] [--seed 42] [--sample DIR] [--keep-db]: run bench/phases.PHASES."""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
from datetime import datetime, timezone
from pathlib import Path

from bench.context import Context
from bench.phases import PHASES, TARGET_RATIO, cleanup

RESULTS = Path(__file__).resolve().parent / "results"


def main(argv: list[str] | None = None) -> int:
    from pipelines.settings import ensure_runtime_dir, home

    ensure_runtime_dir()
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--scale", type=float, default=100.0)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--sample", help="use this snapshot instead of generating one")
    parser.add_argument("--keep-db", action="store_true", help="keep the scratch database for inspection")
    args = parser.parse_args(argv)
    work = home() / "bench"
    work.mkdir(parents=True, exist_ok=True)
    ctx = Context(scale=args.scale, seed=args.seed, work_dir=work, sample_dir=Path(args.sample) if args.sample else None)
    phases = [p for p in PHASES if not (args.keep_db and p is cleanup)]
    try:
        for phase in phases:
            phase(ctx)
            print(f"bench: {phase.__name__} done", file=sys.stderr)
    except BaseException:
        if cleanup in phases:
            cleanup(ctx)  # never leave a scratch database behind
        raise
    figures = ctx.figures
    stamp = datetime.now(timezone.utc)
    result = {"date": stamp.isoformat(timespec="seconds"), "scale": args.scale, "seed": args.seed,
              "sample": str(ctx.sample_dir), "machine": {"python": platform.python_version(), "cpus": os.cpu_count()},
              "target_ratio": TARGET_RATIO, **figures}
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"{stamp:%Y-%m-%d}.json"
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"records: {figures.get('records')} ({figures.get('snapshot_mb')} MB of snapshot)")
    print(f"land:  {figures['land_s']:.2f} s  {figures.get('land_per_source_s')}")
    print(f"floor: {figures['floor_s']:.2f} s  (bare COPY of the same records as jsonb)")
    print(f"per source: floor {figures.get('floor_per_source_s')}, ratio {figures.get('ratio_per_source')}")
    ratio = figures["ratio_land_to_floor"]
    print(f"ratio: {ratio:.2f} (target <= {TARGET_RATIO:g}: {'met' if ratio <= TARGET_RATIO else 'NOT met'})")
    print(f"written to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

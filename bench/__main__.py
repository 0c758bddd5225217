"""python -m bench [--scales 1,100] [--seed 42] [--keep-db] [--no-listing] [--no-cutover]: the whole dry-run per scale,
per phase, against the floors, then the cutover's apply and rollback copy, and the live Airtable and
Luma listings against stand-ins answering in 250 ms; prints the tables, every target of issue 17
and the README's table of them, and writes bench/results/<UTC date>.json."""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"


def bench_scale(scale: float, seed: int, work: Path, keep_db: bool, cutover: bool = True) -> dict:
    """Sample, dry-run (child process), event-log timings and floors of one scale."""
    import dagster as dg

    from bench.cutover import time_cutover
    from bench.dryrun import dagster_env, fresh_dagster_home, run_dry_run, scratch_database
    from bench.events import phase_timings
    from bench.floor import copy_floor, count_floor, floor_inputs
    from bench.report import rows
    from bench.sample import ensure_sample

    sample, records = ensure_sample(work, scale, seed)
    with scratch_database(keep_db) as url:
        home = fresh_dagster_home(work)
        run = run_dry_run(sample, url, home, work / "reports" / f"scale{scale:g}")
        saved = dict(os.environ)
        os.environ.update(dagster_env(url, home))
        os.environ.pop("DAGSTER_PG_URL", None)
        try:
            from assets.runner import prepare_dagster_home

            prepare_dagster_home()
            with dg.DagsterInstance.from_config(str(home)) as instance:
                timings = phase_timings(instance, run["started_at"], run["wall_s"])
        finally:
            os.environ.clear()
            os.environ.update(saved)
        inputs = floor_inputs(sample, work / f"floor-input-{scale:g}")
        landing_s = copy_floor(url, inputs)
        validation_s, candidate_rows = count_floor(url)
        # last, since apply empties the candidates: the copy time of apply and rollback (a dry-run
        # that failed has nothing to apply)
        copy = time_cutover(url) if run["exit_code"] == 0 and cutover else None
    result = {"sample": str(sample), "records": records, "dry_run": run, "timings": timings,
              "floors": {"landing_s": round(landing_s, 3), "landing_records": sum(n for _, _, n in inputs),
                         "validation_s": round(validation_s, 3), "candidate_rows": candidate_rows},
              "cutover": copy}
    result["table"] = rows(result)
    return result


def listing_figures() -> dict:
    """The live listings' figures from `python -m tests.listing_speed` (a child: bench does not import
    tests), {"airtable": {...}, "luma": {...}}."""
    out = subprocess.run([sys.executable, "-m", "tests.listing_speed"], check=True, capture_output=True, text=True,
                         cwd=RESULTS.parent.parent)  # the repository, where `tests` is a package
    return json.loads(out.stdout)


def main(argv: list[str] | None = None) -> int:
    from bench.report import TARGETS, markdown, print_table, print_targets, targets
    from pipelines.settings import ensure_runtime_dir, home

    ensure_runtime_dir()
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--scales", default="1,100", help="comma-separated sample scales (default 1,100)")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--keep-db", action="store_true", help="keep the scratch databases for inspection")
    parser.add_argument("--no-listing", action="store_true", help="skip the live listings against stand-ins (~15 s)")
    parser.add_argument("--no-cutover", action="store_true",
                        help="skip apply/rollback (a kept database then stays as the dry-run left it, for timing its queries)")
    parser.add_argument("--out", help="result file (default bench/results/<UTC date>.json)")
    args = parser.parse_args(argv)
    work = home() / "bench"
    work.mkdir(parents=True, exist_ok=True)
    by_scale = {}
    for scale in [float(s) for s in args.scales.split(",")]:
        by_scale[f"{scale:g}"] = bench_scale(scale, args.seed, work, args.keep_db, not args.no_cutover)
        print_table(f"{scale:g}", by_scale[f"{scale:g}"])
        sys.stdout.flush()
    listing = None if args.no_listing else listing_figures()
    stamp = datetime.now(timezone.utc)
    result = {"date": stamp.isoformat(timespec="seconds"), "seed": args.seed,
              "machine": {"python": platform.python_version(), "cpus": os.cpu_count()},
              "targets": {**targets(by_scale, listing), "limits": TARGETS}, "scales": by_scale, "listing": listing}
    print_targets(result["targets"])
    print("\n" + markdown(result))
    RESULTS.mkdir(exist_ok=True)
    out = Path(args.out) if args.out else RESULTS / f"{stamp:%Y-%m-%d}.json"
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"written to {out}")
    return 0 if all(run["dry_run"]["exit_code"] in (0, 3) for run in by_scale.values()) else 1


if __name__ == "__main__":
    sys.exit(main())

"""The bench's table (phase, records, seconds, records/s, ratio to floor) and the targets at scale 100."""

from __future__ import annotations

GIB = 2**30
# issue 17's targets; memory_growth_max (peak at the largest scale / at the smallest) is issue 3's
TARGETS = {"dry_run_scale1_max_s": 10.0, "land_gate_scale1_max_s": 1.0, "dry_run_scale100_max_s": 60.0,
           "transform_min_rows_per_s": 100_000, "land_to_floor_max": 2.0, "peak_memory_max_bytes": 1 * GIB,
           "listing_to_floor_max": 1.2, "memory_growth_max": 1.5}
ROWS = ["land", "land_gate", "transform", "transform_gate", "reconcile", "reconcile_gate", "report", "other"]


def rows(result: dict) -> list[dict]:
    """One row per phase: records = source records for land/reconcile/land gate, candidate rows for
    transform and its gate; floor = landing floor for land, validation floor for the gates."""
    phases, floors = result["timings"]["phases"], result["floors"]
    source, candidate = result["records"], floors["candidate_rows"]
    records = {"land": source, "land_gate": source, "transform": candidate, "transform_gate": candidate,
               "reconcile": source, "reconcile_gate": source, "report": source}
    floor = {"land": floors["landing_s"], "land_gate": floors["validation_s"],
             "transform_gate": floors["validation_s"], "reconcile_gate": floors["validation_s"]}
    out = []
    for name in [r for r in ROWS if r in phases] + ["dagster_overhead", "dry_run_total"]:
        seconds = {"dagster_overhead": result["timings"]["overhead"]["total_s"],
                   "dry_run_total": result["dry_run"]["wall_s"]}.get(name, phases.get(name))
        n = records.get(name, source if name == "dry_run_total" else None)
        out.append({"phase": name, "records": n, "seconds": seconds,
                    "records_per_s": round(n / seconds) if n and seconds else None,
                    "floor_s": floor.get(name), "ratio": round(seconds / floor[name], 2) if floor.get(name) else None})
    for step, copied in (result.get("cutover") or {}).items():  # records = rows the step wrote
        out.append({"phase": f"cutover_{step}", "records": copied["rows"], "seconds": copied["seconds"],
                    "records_per_s": round(copied["rows"] / copied["seconds"]) if copied["seconds"] else None,
                    "floor_s": None, "ratio": None})
    return out


def _peak(result: dict) -> int:
    """Peak memory of the run: PSS of its process tree and backends (RSS in results without it)."""
    return result["dry_run"].get("peak_pss_bytes") or result["dry_run"]["peak_rss_bytes"]


def _phase(result: dict, name: str) -> dict:
    return next((r for r in result["table"] if r["phase"] == name), {})


def _target(value, limit, met: bool, scale: str | None, unit: str) -> dict:
    return {"value": value, "target": limit, "met": met, "scale": scale, "unit": unit}


def targets(by_scale: dict, listing: dict | None = None) -> dict:
    """Every target of issue 17 judged from one bench run: the scale-1 ones on scale 1, the scale-100
    ones (and memory) on the largest scale run, the listings on their stand-in runs. A target whose
    scale or listing was not run is absent (the table says so)."""
    out: dict = {}
    one = by_scale.get("1")
    if one:
        wall = one["dry_run"]["wall_s"]
        gate = _phase(one, "land_gate").get("seconds")
        out["dry_run_scale1"] = _target(wall, TARGETS["dry_run_scale1_max_s"], wall <= TARGETS["dry_run_scale1_max_s"], "1", "s")
        out["land_gate_scale1"] = _target(gate, TARGETS["land_gate_scale1_max_s"],
                                          gate is not None and gate <= TARGETS["land_gate_scale1_max_s"], "1", "s")
    scales = sorted(by_scale, key=float)
    big = by_scale[scales[-1]] if scales and float(scales[-1]) >= 100 else None
    if big:
        wall, land, transform = big["dry_run"]["wall_s"], _phase(big, "land"), _phase(big, "transform")
        out["dry_run_scale100"] = _target(wall, TARGETS["dry_run_scale100_max_s"], wall <= TARGETS["dry_run_scale100_max_s"], scales[-1], "s")
        speed = transform.get("records_per_s")
        out["transform_rows_per_s"] = _target(speed, TARGETS["transform_min_rows_per_s"],
                                              speed is not None and speed >= TARGETS["transform_min_rows_per_s"], scales[-1], "rows/s")
        ratio = land.get("ratio")
        out["landing_to_floor"] = _target(ratio, TARGETS["land_to_floor_max"],
                                          ratio is not None and ratio <= TARGETS["land_to_floor_max"], scales[-1], "x")
        out["peak_memory"] = _target(_peak(big), TARGETS["peak_memory_max_bytes"],
                                     _peak(big) <= TARGETS["peak_memory_max_bytes"], scales[-1], "bytes")
        if len(scales) > 1:
            growth = round(_peak(big) / max(_peak(by_scale[scales[0]]), 1), 2)
            out["memory_growth"] = _target(growth, TARGETS["memory_growth_max"], growth <= TARGETS["memory_growth_max"],
                                           f"{scales[0]}->{scales[-1]}", "x")
    for name, figures in (listing or {}).items():
        ratio = figures["ratio"]
        out[f"{name}_listing_to_floor"] = {**_target(ratio, TARGETS["listing_to_floor_max"],
                                                     ratio <= TARGETS["listing_to_floor_max"] and figures["throttled"] == 0,
                                                     None, "x"), "figures": figures}
    return out


TARGET_LABELS = {
    "dry_run_scale1": "scale-1 dry-run wall (s)", "land_gate_scale1": "scale-1 land gate (s)",
    "dry_run_scale100": "scale-100 dry-run wall (s)", "transform_rows_per_s": "scale-100 transform (candidate rows/s)",
    "landing_to_floor": "scale-100 landing / bare-COPY floor", "peak_memory": "peak memory, PSS (MiB)",
    "memory_growth": "peak memory growth", "airtable_listing_to_floor": "Airtable listing / requests at 5/s",
    "luma_listing_to_floor": "Luma listing / requests at 200/min",
}
NOT_RUN = {"dry_run_scale1": "scale 1", "land_gate_scale1": "scale 1", "dry_run_scale100": "scale 100",
           "transform_rows_per_s": "scale 100", "landing_to_floor": "scale 100", "peak_memory": "scale 100",
           "airtable_listing_to_floor": "the listing", "luma_listing_to_floor": "the listing"}


def _shown(name: str, value):
    if name == "peak_memory" or (isinstance(value, int) and value > 1_000_000 and name != "transform_rows_per_s"):
        return f"{value / 2**20:.0f}"
    return f"{value:,}" if isinstance(value, int) else str(value)


def _note(name: str, target: dict) -> str:
    figures = target.get("figures")
    if not figures:
        return ""
    return (f"{figures['requests']} requests at {figures['latency_s'] * 1000:.0f} ms answers: {figures['seconds']} s; "
            f"floor {figures['floor_s']} s, limiter's pace floor {figures['pace_floor_s']} s "
            f"({figures['pace_ratio']}x it); {figures['throttled']} x 429")


def markdown(result: dict) -> str:
    """The README's table of targets (`python -m bench.report <result.json>` prints it)."""
    found = result["targets"]
    lines = ["| figure | target | measured | met | note |", "|---|---|---|---|---|"]
    for name, label in TARGET_LABELS.items():
        t = found.get(name)
        if t is None:
            if name in NOT_RUN:
                lines.append(f"| {label} | | not run ({NOT_RUN[name]}) | | |")
            continue
        limit = _shown(name, t["target"])
        bound = "≥" if name == "transform_rows_per_s" else "≤"
        lines.append(f"| {label} | {bound} {limit} | {_shown(name, t['value'])} | {'yes' if t['met'] else 'no'} | {_note(name, t)} |")
    return "\n".join(lines)


def print_table(scale: str, result: dict) -> None:
    print(f"\nscale {scale}: {result['records']} source records, dry-run exit {result['dry_run']['exit_code']}, "
          f"peak memory {_peak(result) / 2**20:.0f} MiB (PSS; summed RSS {result['dry_run']['peak_rss_bytes'] / 2**20:.0f} MiB)"
          + "".join(f"; at the peak: dry-run processes {split['tree_pss'] / 2**20:.0f}, its backends {split['backends_pss'] / 2**20:.0f} MiB"
                    for split in [result["dry_run"].get("peak_pss_split_bytes")] if split))
    print(f"{'phase':<17}{'records':>10}{'seconds':>10}{'records/s':>12}{'floor s':>9}{'ratio':>7}")
    for r in result["table"]:
        cell = lambda v, f: format(v, f) if v is not None else "-"  # noqa: E731
        print(f"{r['phase']:<17}{cell(r['records'], 'd'):>10}{cell(r['seconds'], '.2f'):>10}"
              f"{cell(r['records_per_s'], 'd'):>12}{cell(r['floor_s'], '.2f'):>9}{cell(r['ratio'], '.2f'):>7}")


def print_targets(result: dict) -> None:
    print("\ntargets (issue 17):")
    for name, t in result.items():
        if isinstance(t, dict) and "met" in t:
            print(f"  {TARGET_LABELS.get(name, name):<42} {_shown(name, t['value']):>12}  (target {_shown(name, t['target'])})"
                  f"  {'met' if t['met'] else 'NOT met'}")


if __name__ == "__main__":
    import json
    import sys

    print(markdown(json.loads(open(sys.argv[1]).read())))

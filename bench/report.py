"""The bench's table (phase, records, seconds, records/s, ratio to floor) and the targets at scale 100."""

from __future__ import annotations

GIB = 2**30
TARGETS = {"land_to_floor_max": 3.0, "dry_run_max_s": 300.0, "peak_memory_max_bytes": 2 * GIB, "memory_growth_max": 1.5}
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


def targets(by_scale: dict) -> dict:
    """Targets judged on the largest scale run; memory flatness = peak(largest) / peak(smallest)."""
    scales = sorted(by_scale, key=float)
    big, small = by_scale[scales[-1]], by_scale[scales[0]]
    land = next(r for r in big["table"] if r["phase"] == "land")
    growth = _peak(big) / max(_peak(small), 1)
    return {
        "scale": scales[-1],
        "landing_le_3x_floor": {"value": land["ratio"], "met": land["ratio"] is not None and land["ratio"] <= TARGETS["land_to_floor_max"]},
        "dry_run_under_5_min": {"value": big["dry_run"]["wall_s"], "met": big["dry_run"]["wall_s"] < TARGETS["dry_run_max_s"]},
        "peak_memory_under_2_gib": {"value": _peak(big), "met": _peak(big) < TARGETS["peak_memory_max_bytes"]},
        "memory_flat": {"value": round(growth, 2), "from_scale": scales[0],
                        "met": growth <= TARGETS["memory_growth_max"]},
    }


def print_table(scale: str, result: dict) -> None:
    print(f"\nscale {scale}: {result['records']} source records, dry-run exit {result['dry_run']['exit_code']}, "
          f"peak memory {_peak(result) / 2**20:.0f} MiB (PSS; summed RSS {result['dry_run']['peak_rss_bytes'] / 2**20:.0f} MiB)")
    print(f"{'phase':<17}{'records':>10}{'seconds':>10}{'records/s':>12}{'floor s':>9}{'ratio':>7}")
    for r in result["table"]:
        cell = lambda v, f: format(v, f) if v is not None else "-"  # noqa: E731
        print(f"{r['phase']:<17}{cell(r['records'], 'd'):>10}{cell(r['seconds'], '.2f'):>10}"
              f"{cell(r['records_per_s'], 'd'):>12}{cell(r['floor_s'], '.2f'):>9}{cell(r['ratio'], '.2f'):>7}")


def print_targets(result: dict) -> None:
    print(f"\ntargets at scale {result['scale']}:")
    for name, t in result.items():
        if isinstance(t, dict) and "met" in t:
            print(f"  {name:<26} {t['value']!s:>14}  {'met' if t['met'] else 'NOT met'}")

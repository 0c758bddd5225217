"""Per-phase seconds from Dagster's own event log of a dry-run (run `dry_run`, whose last step writes the report, and `dry_run_report` for a failed one).

Every step's duration is STEP_START -> STEP_SUCCESS/STEP_FAILURE of the event log. A step belongs to
the phase of the group of the assets it materialized (`<app>_<layer>`: raw = land;
staging/intermediate/candidates = transform; reconcile); the gates are their own steps (multi-asset checks `land_gate__<app>`,
`transform_gate__<app>`, `reconcile_gate__<app>`, each evaluating the gate and warning checks of one
application), so they are classified by step key. Steps run up to two at once (assets/executor.py),
so a phase's seconds are the time at least one of its steps was running (two of its steps side by
side count once; `step_seconds` keeps their sum); Dagster's own overhead is the run's wall time
while no step was running, and `dry_run_overlap_s` the step seconds that ran beside another step.
"""

from __future__ import annotations

from collections import defaultdict

TRANSFORM_LAYERS = {"staging", "intermediate", "candidates"}
GATES = ("land_gate", "transform_gate", "reconcile_gate")


def _phase_of_group(group: str | None) -> str:
    from pipelines import registry

    app = next((a for a in registry.APPLICATIONS if (group or "").startswith(f"{a}_")), None)
    layer = group.removeprefix(f"{app}_") if app else group
    if layer in TRANSFORM_LAYERS:
        return "transform"
    return {"raw": "land"}.get(layer, layer) or "other"


def busy_seconds(intervals: list[tuple[float, float]]) -> float:
    """The seconds covered by at least one of `intervals` ((start, end) pairs)."""
    busy, reach = 0.0, float("-inf")
    for start, end in sorted(intervals):
        if end > reach:
            busy += end - max(start, reach)
            reach = end
    return busy


def _steps(instance, run_id: str) -> tuple[dict, dict, dict]:
    """(step key -> (start, end), step key -> asset groups materialized, run bounds {'start','end'})."""
    from dagster import DagsterEventType as T

    from assets.definitions import defs

    graph = defs.resolve_asset_graph()
    started, spans, groups, bounds = {}, {}, defaultdict(set), {}
    for entry in instance.all_logs(run_id):
        event = entry.dagster_event
        if event is None:
            continue
        kind = event.event_type
        if kind == T.RUN_START:
            bounds["start"] = entry.timestamp
        elif kind in (T.RUN_SUCCESS, T.RUN_FAILURE):
            bounds["end"] = entry.timestamp
        elif kind == T.STEP_START:
            started[entry.step_key] = entry.timestamp
        elif kind in (T.STEP_SUCCESS, T.STEP_FAILURE) and entry.step_key in started:
            spans[entry.step_key] = (started[entry.step_key], entry.timestamp)
        elif kind == T.ASSET_MATERIALIZATION:
            key = event.asset_key
            groups[entry.step_key].add(graph.get(key).group_name if graph.has(key) else None)
    return spans, groups, bounds


def _runs(instance) -> tuple[str, str | None]:
    runs = {r.job_name: r.run_id for r in reversed(instance.get_runs())}  # newest wins
    return runs["dry_run"], runs.get("dry_run_report")


def phase_timings(instance, process_started_at: float, process_wall_s: float) -> dict:
    """{'phases': {phase: s}, 'step_seconds': {phase: s}, 'gates': {step: s}, 'steps': {step: s},
    'overhead': {...}, 'spans': {step: [from, to] seconds after the run's start}, 'runs': {...}}."""
    dry_id, report_id = _runs(instance)
    spans, groups, dry = _steps(instance, dry_id)
    report_spans, _, report = _steps(instance, report_id) if report_id else ({}, {}, {})
    steps = {step: end - start for step, (start, end) in spans.items()}
    by_phase: dict = defaultdict(list)
    gates: dict = {}
    for step, span in spans.items():
        gate = next((g for g in GATES if step.startswith(f"{g}__")), None)
        if gate:
            by_phase[gate].append(span)
            gates[step] = round(steps[step], 3)
        else:
            phase_groups = {_phase_of_group(g) for g in groups.get(step, {None})}
            by_phase[phase_groups.pop() if len(phase_groups) == 1 else "other"].append(span)
    # the report is the dry-run's last step; a failed run has a report run
    by_phase["report"] += report_spans.values()
    phases = {phase: busy_seconds(list(members)) for phase, members in by_phase.items()}
    step_seconds = {phase: sum(end - start for start, end in members) for phase, members in by_phase.items()}
    busy = busy_seconds(list(spans.values()))
    dry_wall = dry.get("end", 0) - dry.get("start", 0)
    report_wall = report.get("end", 0) - report.get("start", 0)
    overhead = {
        "process_start_to_run_start_s": dry.get("start", process_started_at) - process_started_at,
        "dry_run_wall_s": dry_wall,
        "dry_run_steps_s": sum(steps.values()),
        "dry_run_busy_s": busy,
        "dry_run_overlap_s": sum(steps.values()) - busy,
        "dry_run_in_run_overhead_s": dry_wall - busy,
        "steps": len(steps),
        "report_wall_s": report_wall,
        "report_in_run_overhead_s": report_wall - busy_seconds(list(report_spans.values())),
        "between_runs_s": (report.get("start", 0) - dry.get("end", 0)) if report else 0.0,
        "after_report_to_exit_s": process_started_at + process_wall_s - report.get("end", dry.get("end", 0)),
    }
    overhead["total_s"] = (overhead["process_start_to_run_start_s"] + overhead["dry_run_in_run_overhead_s"]
                           + overhead["report_in_run_overhead_s"] + overhead["between_runs_s"]
                           + overhead["after_report_to_exit_s"])
    overhead["per_step_s"] = overhead["dry_run_in_run_overhead_s"] / max(len(steps), 1)
    rounded = lambda d: {k: round(v, 3) if isinstance(v, float) else v for k, v in d.items()}  # noqa: E731
    return {"phases": rounded(phases), "step_seconds": rounded(step_seconds), "gates": gates, "steps": rounded(steps), "overhead": rounded(overhead),
            "spans": {step: [round(start - dry.get("start", 0), 3), round(end - dry.get("start", 0), 3)]
                      for step, (start, end) in sorted(spans.items(), key=lambda item: item[1])},
            "runs": {"dry_run": dry_id, "dry_run_report": report_id}}

"""`cutover dry-run [--snapshot DIR] [--report-dir DIR]`: run the Dagster job `dry_run`, then
ALWAYS the job `dry_run_report` (also when a gate stopped the dry-run), then the exit status:
0 every blocking gate passed, 3 a blocking gate failed (one line per failing gate on stderr),
1 an error that no gate explains."""

from __future__ import annotations

import json
import sys

from pipelines.errors import CutoverError, GateFailed


def run(args) -> int:
    from assets.cutover.outcome import first_failure
    from assets.runner import print_notes, run_job
    from assets.gates.validation import report_dir

    snapshot = getattr(args, "snapshot", None)
    configured_dir = getattr(args, "report_dir", None)
    resources = {"sources": {"config": {"snapshot_dir": snapshot}}, "run_settings": {"config": {"report_dir": configured_dir}}}
    quiet = not getattr(args, "verbose", False)
    result = run_job("dry_run", run_config={"resources": resources}, tags={"cutover/report": "cli"}, quiet=quiet)
    error = None if result.success else first_failure(result)
    print_notes("dry-run", result.run_id)
    directory = report_dir(result.run_id, configured_dir)
    report = run_job(
        "dry_run_report",
        run_config={
            "resources": {"run_settings": {"config": {"report_dir": str(directory)}}},
            "ops": {"reports__dry_run": {"config": {"dry_run_id": result.run_id, "run_succeeded": result.success, "error": error}}},
        },
        quiet=quiet,
    )
    path = directory / "reconciliation.json"
    if not report.success or not path.exists():
        raise CutoverError(f"the report of dry-run {result.run_id} could not be written: {first_failure(report) or 'unknown error'}.")
    data = json.loads(path.read_text())
    print(f"report: {directory / 'report.html'}")
    if data["passed"]:
        print(f"dry-run {result.run_id}: every gate passed; ready to cut over (`cutover apply`).")
        return 0
    failing = [g for g in data["gates"] if g["severity"] == "error" and not g["passed"]]
    if failing:
        for g in failing:
            print(f"gate failed: {g['phase']}: {g['message']}", file=sys.stderr)
        raise GateFailed(f"dry-run {result.run_id}: {len(failing)} blocking gate(s) failed; see {directory / 'report.html'}.")
    raise CutoverError(f"dry-run {result.run_id} did not finish: {error or 'a phase was not judged'} (report: {directory / 'report.html'}).")

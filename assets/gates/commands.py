"""`cutover dry-run [--snapshot DIR] [--report-dir DIR] [--app APP]`: run the Dagster job `dry_run`
(or `<app>_dry_run`: that application alone, in its database), whose last step writes the report;
when the run did not succeed, the job `dry_run_report` writes it (naming the cause); then the exit status: 0 every blocking gate passed, 3 a
blocking gate failed (one line per failing gate on stderr), 1 an error that no gate explains.

The report reads each application's rows from that application's database (assets/gates/report.py),
so one report covers a run whatever the databases; the run passes when every covered application is
ready."""

from __future__ import annotations

import json
import sys

from pipelines.errors import CutoverError, GateFailed


def run(args) -> int:
    from assets.cutover.outcome import first_failure, first_failure_of
    from assets.job_names import job_name
    from assets.cutover import locks
    from assets.runner import databases, print_notes, run_job
    from assets.gates.validation import report_dir
    from pipelines import registry

    app = getattr(args, "app", None)
    apps = [app] if app else list(registry.APPLICATIONS)
    snapshot = getattr(args, "snapshot", None)
    configured_dir = getattr(args, "report_dir", None)
    resources = {"sources": {"config": {"snapshot_dir": snapshot}}, "run_settings": {"config": {"report_dir": configured_dir}}}
    quiet = not getattr(args, "verbose", False)
    # never beside an apply, a rollback, the sync or another dry-run, from this CLI or the UI
    with locks.held(databases(apps), "dry-run"):
        result = run_job(job_name("dry_run", app), run_config={"resources": resources}, tags={"cutover/report": "cli"},
                         quiet=quiet, apps=apps)
    error = None if result.success else first_failure(result)
    print_notes("dry-run", result.run_id, apps)
    directory = report_dir(result.run_id, configured_dir)
    path = directory / "reconciliation.json"
    if not result.success:  # a passing run wrote its report in its last step; a stopped one did not get there
        report = run_job(
            "dry_run_report",
            run_config={
                "resources": {"run_settings": {"config": {"report_dir": str(directory)}}},
                "ops": {"reports__dry_run": {"config": {"dry_run_id": result.run_id, "run_succeeded": False,
                                                        "error": first_failure_of(result.all_events, name_step=True),
                                                        "apps": apps}}},
            },
            quiet=quiet, apps=apps,
        )
        if not report.success or not path.exists():
            raise CutoverError(f"the report of dry-run {result.run_id} could not be written: {first_failure(report) or 'unknown error'}.")
    print(f"report: {directory / 'report.html'}")
    data = json.loads(path.read_text())
    for name, verdict in data["apps"].items():
        print(f"{registry.title(name)}: {'ready to cut over' if verdict['passed'] else 'not ready'}.")
    if data["passed"]:
        print(f"dry-run {result.run_id}: every gate passed; ready to cut over (`cutover apply`).")
        return 0
    failing = [g for g in data["gates"] if g["severity"] == "error" and not g["passed"]]
    if failing:
        for g in failing:
            print(f"gate failed: {g['phase']}: {g['message']}", file=sys.stderr)
        raise GateFailed(f"dry-run {result.run_id}: {len(failing)} blocking gate(s) failed; see {directory / 'report.html'}.")
    raise CutoverError(f"dry-run {result.run_id} did not finish: {error or 'a phase was not judged'} (report: {directory / 'report.html'}).")

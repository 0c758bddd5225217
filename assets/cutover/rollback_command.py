"""`cutover rollback [--app APP] [--force] [--report-dir DIR]`: runs the Dagster job `rollback` in process."""

from __future__ import annotations


def run(args) -> int:
    from assets.cutover.locks import RUN_TAGS
    from assets.cutover.outcome import print_report, raise_for_failure, run_config
    from assets.runner import run_job

    report_dir = getattr(args, "report_dir", None)
    config = {"ops": {"rollback_cutover": {"config": {"app": getattr(args, "app", None), "force": bool(getattr(args, "force", False)),
                                                      "report_dir": report_dir}}}}
    result = run_job("rollback", run_config=run_config(args, config), tags=RUN_TAGS, quiet=not getattr(args, "verbose", False))
    print_report(result, report_dir)
    raise_for_failure(result)
    print(result.output_for_node("rollback_cutover")["message"])
    return 0

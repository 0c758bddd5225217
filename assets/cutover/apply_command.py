"""`cutover apply [--app APP] [--tables T,…] [--report-dir DIR]`: runs the Dagster job `apply` in process (it shows in the run history)."""

from __future__ import annotations


def run(args) -> int:
    from assets.cutover.locks import RUN_TAGS
    from assets.cutover.outcome import print_report, raise_for_failure, run_config
    from assets.runner import run_job

    from assets.cutover.partial import named

    app = getattr(args, "app", None)
    tables = [t.strip() for t in (getattr(args, "tables", None) or "").split(",") if t.strip()] or None
    named(app, tables)  # a wrong --tables is one sentence before Dagster starts
    report_dir = getattr(args, "report_dir", None)
    config = {"ops": {"apply_cutover": {"config": {"app": app, "tables": tables, "report_dir": report_dir}}}}
    result = run_job("apply", run_config=run_config(args, config), tags=RUN_TAGS, quiet=not getattr(args, "verbose", False))
    print_report(result, report_dir)
    raise_for_failure(result)
    print(result.output_for_node("apply_cutover")["message"])
    return 0

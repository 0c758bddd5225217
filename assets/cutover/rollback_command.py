"""`cutover rollback [--app APP] [--force]`: runs the Dagster job `rollback` in process."""

from __future__ import annotations


def run(args) -> int:
    from assets.cutover.locks import RUN_TAGS
    from assets.cutover.outcome import raise_for_failure, run_config
    from assets.runner import run_job

    config = {"ops": {"rollback_cutover": {"config": {"app": getattr(args, "app", None), "force": bool(getattr(args, "force", False))}}}}
    result = run_job("rollback", run_config=run_config(args, config), tags=RUN_TAGS, quiet=not getattr(args, "verbose", False))
    raise_for_failure(result)
    print(result.output_for_node("rollback_cutover")["message"])
    return 0

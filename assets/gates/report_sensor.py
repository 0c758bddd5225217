"""A failed dry-run launched from the Dagster UI (or a schedule) gets its report too: when a
dry-run run fails (`dry_run` or one application's `<app>_dry_run`), this sensor requests
`dry_run_report` for it, with the cause (the first failed step and its error). A dry-run that
succeeds wrote its report in its own last step (assets/gates/report_asset.py). Runs started by
`cutover dry-run` carry the tag `cutover/report=cli` and are skipped: the command writes their
report itself."""

import dagster as dg

from assets.gates.report_asset import dry_run_report_job
from assets.job_names import DRY_RUN_JOBS, apps_of_job

CLI_TAG = "cutover/report"


def skip_reason(run) -> str | None:
    """Why run `run` needs no report from this sensor (None: it needs one)."""
    if run.job_name not in DRY_RUN_JOBS or run.tags.get(CLI_TAG) == "cli":
        return "not a dry-run launched outside the CLI"
    return None


def report_request(run, error: str) -> dg.RunRequest:
    return dg.RunRequest(
        run_key=f"report-{run.run_id}",
        run_config={"ops": {"reports__dry_run": {"config": {"dry_run_id": run.run_id, "run_succeeded": False,
                                                            "error": error, "apps": apps_of_job(run.job_name)}}}},
        tags={"cutover/dry_run_id": run.run_id},
    )


@dg.run_status_sensor(run_status=dg.DagsterRunStatus.FAILURE, request_job=dry_run_report_job,
                      default_status=dg.DefaultSensorStatus.RUNNING, name="dry_run_report_on_failure")
def report_on_failure(context: dg.RunStatusSensorContext):
    from assets.cutover.outcome import first_failure_of

    run = context.dagster_run
    reason = skip_reason(run)
    if reason:
        return dg.SkipReason(reason)
    logs = context.instance.all_logs(run.run_id, of_type=dg.DagsterEventType.STEP_FAILURE)
    error = first_failure_of((entry.dagster_event for entry in logs), name_step=True) or "the run failed before any step did"
    return report_request(run, error)

"""A dry-run launched from the Dagster UI gets its report too: when a dry-run run ends (success
or failure; `dry_run` or one application's `<app>_dry_run`), these sensors request `dry_run_report` for it. Runs started by `cutover dry-run`
carry the tag `cutover/report=cli` and are skipped: the command writes their report itself."""

import dagster as dg

from assets.gates.report_asset import dry_run_report_job
from assets.job_names import DRY_RUN_JOBS, apps_of_job

CLI_TAG = "cutover/report"


def _request(context: dg.RunStatusSensorContext, succeeded: bool):
    run = context.dagster_run
    if run.job_name not in DRY_RUN_JOBS or run.tags.get(CLI_TAG) == "cli":
        return dg.SkipReason("not a dry-run launched outside the CLI")
    return dg.RunRequest(
        run_key=f"report-{run.run_id}",
        run_config={"ops": {"reports__dry_run": {"config": {"dry_run_id": run.run_id, "run_succeeded": succeeded,
                                                            "apps": apps_of_job(run.job_name)}}}},
        tags={"cutover/dry_run_id": run.run_id},
    )


@dg.run_status_sensor(run_status=dg.DagsterRunStatus.SUCCESS, request_job=dry_run_report_job,
                      default_status=dg.DefaultSensorStatus.RUNNING, name="dry_run_report_on_success")
def report_on_success(context: dg.RunStatusSensorContext):
    return _request(context, True)


@dg.run_status_sensor(run_status=dg.DagsterRunStatus.FAILURE, request_job=dry_run_report_job,
                      default_status=dg.DefaultSensorStatus.RUNNING, name="dry_run_report_on_failure")
def report_on_failure(context: dg.RunStatusSensorContext):
    return _request(context, False)

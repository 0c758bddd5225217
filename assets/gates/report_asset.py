"""The report of a dry-run as the asset `reports/dry_run` (group `report`).

Decision (issue 16): the asset is the last step of every dry-run job (`dry_run`, `<app>_dry_run`),
downstream of the reconcile assets, so a dry-run that passes every gate carries its own report link
(a materialization of that very run). A blocking gate that fails stops the steps after it, the
report step among them (Dagster has no clean "run even after upstream failure"), so the same asset
is also the job `dry_run_report`, configured with the failed run's id and its failure cause: the
CLI runs it after a dry-run that did not succeed, and the sensor `dry_run_report_on_failure` after a
failed run started anywhere else (UI, schedule).
"""


from typing import Optional

import dagster as dg
from pydantic import Field

from assets.job_names import apps_of_job
from assets.transform.models import load_models

# downstream of every application's reconcile models: the report is the dry-run's last step
RECONCILED = sorted((m.key for m in load_models() if m.layer == "reconcile"), key=lambda k: k.path)


class ReportConfig(dg.Config):
    dry_run_id: Optional[str] = Field(
        default=None, description="The dry-run to report on; empty: this run (the report step of a dry-run job).")
    run_succeeded: bool = True
    error: Optional[str] = Field(default=None, description="The failed run's cause: its first failed step and error.")
    # the applications the dry-run covered; their databases are the only ones the report opens
    # (unset: those of this run's job)
    apps: Optional[list[str]] = None


@dg.asset(
    key=dg.AssetKey(["reports", "dry_run"]),
    group_name="report",
    deps=RECONCILED,
    # each application's database comes from pipelines.targets; `cutover_lock` holds the cutover
    # lock for the whole of a dry-run job's run (assets/cutover/locks.py)
    required_resource_keys={"run_settings", "cutover_lock"},
    description="report.html, reconciliation.json and Data Docs of a dry-run, in `reports/<run id>/`.",
    kinds={"html"},
)
def dry_run_report(context: dg.AssetExecutionContext, config: ReportConfig) -> dg.MaterializeResult:
    from assets.gates import report, report_data
    from assets.gates.validation import report_dir

    run_id = config.dry_run_id or context.run_id
    apps = config.apps or (None if config.dry_run_id else apps_of_job(context.job_name))
    directory = report_dir(run_id, context.resources.run_settings.report_dir)
    data = report.write(run_id, directory, config.run_succeeded, config.error, apps)
    failed = [g for g in data["gates"] if g["severity"] == "error" and not g["passed"]]
    return dg.MaterializeResult(
        metadata={
            "dry_run_id": run_id,
            "passed": data["passed"],
            **{f"{app}_ready": v["passed"] for app, v in data["apps"].items()},
            "report": dg.MetadataValue.path(str(directory / "report.html")),
            "report_url": dg.MetadataValue.url((directory / "report.html").as_uri()),
            "ledger": dg.MetadataValue.md(report_data.ledger_markdown(data["tables"])),
            "failed_gates": dg.MetadataValue.int(len(failed)),
        }
    )


dry_run_report_job = dg.define_asset_job(
    "dry_run_report",
    selection=dg.AssetSelection.assets(dry_run_report),
    description="Write the report of a dry-run that failed (config: its run id and cause); a dry-run that "
                "succeeds writes its own.",
)

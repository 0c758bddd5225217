"""The `dry_run_report` job: one asset (group `report`) that writes a dry-run's report.

Decision: a job of its own, run after `dry_run` whatever its outcome, so the report is written
also when a gate stopped the dry-run, and the report run appears in Dagster's run history beside it.
"""


from typing import Optional

import dagster as dg


class ReportConfig(dg.Config):
    dry_run_id: str
    run_succeeded: bool = True
    error: Optional[str] = None
    # the applications the dry-run covered; their databases are the only ones the report opens
    # (unset: every application's)
    apps: Optional[list[str]] = None


@dg.asset(
    key=dg.AssetKey(["reports", "dry_run"]),
    group_name="report",
    required_resource_keys={"run_settings"},  # each application's database comes from pipelines.targets
    description="report.html, reconciliation.json and Data Docs of a dry-run, in reports/<run id>/.",
    kinds={"html"},
)
def dry_run_report(context: dg.AssetExecutionContext, config: ReportConfig) -> dg.MaterializeResult:
    from assets.gates import report, report_data
    from assets.gates.validation import report_dir

    directory = report_dir(config.dry_run_id, context.resources.run_settings.report_dir)
    data = report.write(config.dry_run_id, directory, config.run_succeeded, config.error, config.apps)
    failed = [g for g in data["gates"] if g["severity"] == "error" and not g["passed"]]
    return dg.MaterializeResult(
        metadata={
            "dry_run_id": config.dry_run_id,
            "passed": data["passed"],
            **{f"{app}_ready": v["passed"] for app, v in data["apps"].items()},
            "report": dg.MetadataValue.path(str(directory / "report.html")),
            "ledger": dg.MetadataValue.md(report_data.ledger_markdown(data["tables"])),
            "failed_gates": dg.MetadataValue.int(len(failed)),
        }
    )


dry_run_report_job = dg.define_asset_job(
    "dry_run_report",
    selection=dg.AssetSelection.assets(dry_run_report),
    description="Write the report of a dry-run (config: its run id), also when a gate failed.",
)

"""Cutover and rollback as Dagster jobs (`apply`, `rollback`), so that both appear in the run
history whether started from the UI or from `cutover apply` / `cutover rollback`.

Op-based jobs: they copy rows between schemas rather than materialize assets. Config `app` names
one application; empty, each application in turn, each in its own transaction in its own database
(assets/cutover/per_app.py). Both carry the run tag `cutover/exclusive` (the instance runs one such
run at a time) and take the advisory lock of the same name in each database
(assets/cutover/locks.py).
"""

from typing import Optional

import dagster as dg
from pydantic import Field

from assets.cutover.locks import RUN_TAGS

# the run tag holding the path of an apply's / rollback's report.html (set refused or not)
REPORT_TAG = "cutover/report_html"


class CutoverConfig(dg.Config):
    app: Optional[str] = Field(default=None, description="podium or hello_miami; empty: each application")
    report_dir: Optional[str] = Field(default=None, description="where report.html and reconciliation.json go; empty: reports/<run id>/")


class ApplyConfig(CutoverConfig):
    tables: Optional[list[str]] = Field(default=None, description="only these tables of `app` (assets/cutover/partial.py); empty: all")


class RollbackConfig(CutoverConfig):
    force: bool = False  # roll back even when rows written to the live tables since the cutover are lost


def _check_app(app: Optional[str]) -> None:
    from pipelines import targets

    if app:
        targets.target(app)  # an unknown name is one sentence naming the choices


def _reported(context: dg.OpExecutionContext, kind: str, config: CutoverConfig, step, done_status: str) -> tuple[dict, dict]:
    """each_application of `step(target, record)`, the report written whatever the outcome (a
    refusal too: then before the op fails with it), its path a tag of the run (a failed op carries
    no output metadata) and the output's metadata; returns (outcomes, metadata)."""
    from assets.cutover import report
    from assets.cutover.per_app import each_application
    from assets.gates.validation import report_dir

    records: dict = {}
    path = None
    directory = report_dir(context.run_id, config.report_dir)
    try:
        outcomes = each_application(context.run_id, kind, config.app, report.recording(records, step), done_status, log=context.log.info)
    finally:
        try:
            path = report.write(kind, context.run_id, directory, records)
            context.instance.add_run_tags(context.run_id, {REPORT_TAG: str(path)})
        except Exception as exc:  # the verdict stands without its report: said in the log, not raised over it
            context.log.error(f"the {kind} report could not be written into {directory}: {type(exc).__name__}: {exc}")
    if path is None:
        return outcomes, {}
    return outcomes, {"report": dg.MetadataValue.path(str(path)), "report_url": dg.MetadataValue.url(path.as_uri())}


@dg.op(description="Copy the latest passing dry-run's candidate rows into each application's live tables.")
def apply_cutover(context: dg.OpExecutionContext, config: ApplyConfig) -> dict:
    from assets.cutover.apply import apply_latest
    from assets.cutover.partial import named
    from assets.cutover.per_app import summary

    _check_app(config.app)
    tables = named(config.app, config.tables)
    outcomes, metadata = _reported(context, "apply", config, lambda target, record: apply_latest(target, tables, record), "applied")
    outcome = summary(outcomes, "applied")
    context.add_output_metadata({"status": outcome["status"], "cutover_id": outcome["cutover_id"],
                                 "counts": {app: o["counts"] for app, o in outcomes.items()}, **metadata})
    return outcome


@dg.op(description="Copy each application's rows from before its latest cutover back into its live tables.")
def rollback_cutover(context: dg.OpExecutionContext, config: RollbackConfig) -> dict:
    from assets.cutover.per_app import summary
    from assets.cutover.rollback import rollback_latest

    _check_app(config.app)
    outcomes, metadata = _reported(context, "rollback", config, lambda target, record: rollback_latest(target, config.force, record),
                                   "rolled_back")
    outcome = summary(outcomes, "rolled_back")
    context.add_output_metadata({"status": outcome["status"], "cutover_id": outcome["cutover_id"],
                                 "lost": {app: o["lost"] for app, o in outcomes.items()}, **metadata})
    return outcome


@dg.job(name="apply", tags=RUN_TAGS, description="Cut over to the latest passing dry-run, per application (SPEC §5).")
def apply_job():
    apply_cutover()


@dg.job(name="rollback", tags=RUN_TAGS, description="Return each application's live rows to their state before its latest cutover.")
def rollback_job():
    rollback_cutover()


defs = dg.Definitions(jobs=[apply_job, rollback_job])

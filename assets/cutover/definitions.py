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


class CutoverConfig(dg.Config):
    app: Optional[str] = Field(default=None, description="podium or hello_miami; empty: each application")


class ApplyConfig(CutoverConfig):
    tables: Optional[list[str]] = Field(default=None, description="only these tables of `app` (assets/cutover/partial.py); empty: all")


class RollbackConfig(CutoverConfig):
    force: bool = False  # roll back even when rows written to the live tables since the cutover are lost


def _check_app(app: Optional[str]) -> None:
    from pipelines import targets

    if app:
        targets.target(app)  # an unknown name is one sentence naming the choices


@dg.op(description="Copy the latest passing dry-run's candidate rows into each application's live tables.")
def apply_cutover(context: dg.OpExecutionContext, config: ApplyConfig) -> dict:
    from assets.cutover.apply import apply_latest
    from assets.cutover.partial import named
    from assets.cutover.per_app import each_application, summary

    _check_app(config.app)
    tables = named(config.app, config.tables)
    outcomes = each_application(context.run_id, "apply", config.app, lambda target: apply_latest(target, tables), "applied",
                                log=context.log.info)
    outcome = summary(outcomes, "applied")
    context.add_output_metadata({"status": outcome["status"], "cutover_id": outcome["cutover_id"],
                                 "counts": {app: o["counts"] for app, o in outcomes.items()}})
    return outcome


@dg.op(description="Copy each application's rows from before its latest cutover back into its live tables.")
def rollback_cutover(context: dg.OpExecutionContext, config: RollbackConfig) -> dict:
    from assets.cutover.per_app import each_application, summary
    from assets.cutover.rollback import rollback_latest

    _check_app(config.app)
    outcomes = each_application(context.run_id, "rollback", config.app, lambda target: rollback_latest(target, force=config.force),
                                "rolled_back", log=context.log.info)
    outcome = summary(outcomes, "rolled_back")
    context.add_output_metadata({"status": outcome["status"], "cutover_id": outcome["cutover_id"],
                                 "lost": {app: o["lost"] for app, o in outcomes.items()}})
    return outcome


@dg.job(name="apply", tags=RUN_TAGS, description="Cut over to the latest passing dry-run, per application (SPEC §5).")
def apply_job():
    apply_cutover()


@dg.job(name="rollback", tags=RUN_TAGS, description="Return each application's live rows to their state before its latest cutover.")
def rollback_job():
    rollback_cutover()


defs = dg.Definitions(jobs=[apply_job, rollback_job])

"""Cutover and rollback as Dagster jobs (`apply`, `rollback`), so that both appear in the run
history whether started from the UI or from `cutover apply` / `cutover rollback`.

Op-based jobs: they move whole schemas rather than materialize assets. Both carry the run tag
`cutover/exclusive` (the instance runs one such run at a time) and take the advisory lock of the
same name in the database (assets/cutover/locks.py).
"""

import dagster as dg

from assets.cutover.locks import RUN_TAGS
from assets.resources import PostgresResource


class RollbackConfig(dg.Config):
    force: bool = False  # roll back even when rows written to the live tables since the cutover are lost


@dg.op(description="Swap the latest passing dry-run's candidate schemas into podium / hello_miami.")
def apply_cutover(context: dg.OpExecutionContext, postgres: PostgresResource) -> dict:
    from assets.cutover.apply import apply_latest
    from assets.cutover.outcome import recorded_run

    with recorded_run(postgres.url(), context.run_id, "apply") as state:
        outcome = apply_latest(postgres.url())
        state["status"] = "success" if outcome["status"] == "applied" else outcome["status"]
    context.log.info(outcome["message"])
    context.add_output_metadata({"status": outcome["status"], "cutover_id": outcome["cutover_id"], "counts": outcome["counts"]})
    return outcome


@dg.op(description="Swap the live schemas back to the state before the latest cutover.")
def rollback_cutover(context: dg.OpExecutionContext, config: RollbackConfig, postgres: PostgresResource) -> dict:
    from assets.cutover.outcome import recorded_run
    from assets.cutover.rollback import rollback_latest

    with recorded_run(postgres.url(), context.run_id, "rollback") as state:
        outcome = rollback_latest(postgres.url(), force=config.force)
        state["status"] = "success" if outcome["status"] == "rolled_back" else outcome["status"]
    context.log.info(outcome["message"])
    context.add_output_metadata({"status": outcome["status"], "cutover_id": outcome["cutover_id"], "lost": outcome["lost"]})
    return outcome


@dg.job(name="apply", tags=RUN_TAGS, description="Cut over to the latest passing dry-run (SPEC §5).")
def apply_job():
    apply_cutover()


@dg.job(name="rollback", tags=RUN_TAGS, description="Return the live schemas to their state before the latest cutover.")
def rollback_job():
    rollback_cutover()


defs = dg.Definitions(jobs=[apply_job, rollback_job])

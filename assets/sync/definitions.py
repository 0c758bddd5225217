"""The scheduled incremental Luma sync, as Dagster sees it.

- The sync is Hello Miami's (its Luma calendar, its database `HELLO_MIAMI_DATABASE_URL`, its live
  schema `HELLO_MIAMI_SCHEMA`); it needs no Podium setting.
- Assets ["hello_miami","events"] and ["hello_miami","attendance"] (group `hello_miami_live`) stand
  for Hello Miami's LIVE tables, whatever its live schema is called; the sync materializes them (the candidates are ["hello_miami_next", ...], built by
  the dry-run). A sync skipped because another one runs materializes nothing.
- Job `sync_luma` (run tag `cutover/exclusive`: the instance runs one such run at a time) and
  schedule `sync_luma_schedule`, cron CUTOVER_SYNC_CRON (default every 15 minutes). The schedule is
  stopped by default so `dagster dev` does not call Luma before anyone asked; turn it on in the UI
  after the cutover, or set CUTOVER_SYNC_SCHEDULE=running.
- Asset check `luma_sync_fresh` on the live events (severity WARN): the last successful sync in
  migration.luma_syncs is younger than CUTOVER_SYNC_MAX_AGE_MINUTES (default 60). It runs after
  every sync and on its own in job `luma_freshness` (schedule `luma_freshness_schedule`, cron
  CUTOVER_FRESHNESS_CRON, default every 30 minutes), so a sync schedule that stopped working is
  noticed even though no sync run reports it.
"""

import os
from typing import Optional

import dagster as dg

from assets.cutover.locks import RUN_TAGS
from assets.resources import ApplicationDatabase

LIVE_EVENTS = dg.AssetKey(["hello_miami", "events"])
LIVE_ATTENDANCE = dg.AssetKey(["hello_miami", "attendance"])
GROUP = "hello_miami_live"
# the cutover copies the candidate rows into these live tables: the lineage shows it
CANDIDATE_OF = {key: dg.AssetKey([f"{key.path[0]}_next", key.path[1]]) for key in (LIVE_EVENTS, LIVE_ATTENDANCE)}


class SyncConfig(dg.Config):
    days_back: Optional[float] = None  # default CUTOVER_SYNC_DAYS_BACK or 2
    days_ahead: Optional[float] = None  # default CUTOVER_SYNC_DAYS_AHEAD or 60
    window_start: Optional[str] = None  # ISO-8601; overrides days_back
    window_end: Optional[str] = None  # ISO-8601; overrides days_ahead


@dg.multi_asset(
    name="luma_sync",
    specs=[
        dg.AssetSpec(key, group_name=GROUP, skippable=True, deps=[CANDIDATE_OF[key]],
                     description=f"Hello Miami's live table {key.path[1]} (the application's own): the cutover copies "
                                 f"its candidate rows in, then the Luma sync keeps it current.")
        for key in (LIVE_EVENTS, LIVE_ATTENDANCE)
    ],
    description="One incremental Luma sync: events in the window and their guests, upserted live.",
)
def luma_sync(context: dg.AssetExecutionContext, config: SyncConfig, hello_miami_db: ApplicationDatabase):
    from assets.sync.luma_sync import run_sync, window

    w = window(days_back=config.days_back, days_ahead=config.days_ahead, start=config.window_start, end=config.window_end)
    outcome = run_sync(hello_miami_db.url(), w, run_id=context.run.run_id)
    context.log.info(outcome["message"])
    if outcome["status"] != "success":
        return
    common = {"sync_id": outcome["sync_id"], "requests": outcome["requests"], "seconds": round(outcome["seconds"], 2),
              "target_schema": outcome["target_schema"], "window_start": w.start.isoformat(), "window_end": w.end.isoformat()}
    yield dg.MaterializeResult(asset_key=LIVE_EVENTS, metadata={**common, "rows_changed": outcome["events_upserted"]})
    yield dg.MaterializeResult(asset_key=LIVE_ATTENDANCE, metadata={**common, "rows_changed": outcome["attendance_upserted"]})


@dg.asset_check(asset=LIVE_EVENTS, name="luma_sync_fresh", blocking=False,
                description="Warns when the last successful Luma sync is older than CUTOVER_SYNC_MAX_AGE_MINUTES (default 60).")
def luma_sync_fresh(hello_miami_db: ApplicationDatabase) -> dg.AssetCheckResult:
    from assets.sync.freshness import last_success_age
    from pipelines.database import connect

    limit = float(os.environ.get("CUTOVER_SYNC_MAX_AGE_MINUTES", "60"))
    with connect(hello_miami_db.url()) as conn:
        age = last_success_age(conn)
    passed = age is not None and age <= limit
    description = "no successful Luma sync recorded in migration.luma_syncs" if age is None else f"last successful Luma sync {age:.0f} minutes ago (limit {limit:.0f})"
    return dg.AssetCheckResult(
        passed=passed, severity=dg.AssetCheckSeverity.WARN, description=description,
        metadata={"age_minutes": round(age, 1) if age is not None else -1.0, "limit_minutes": limit},
    )


sync_luma_job = dg.define_asset_job(
    "sync_luma", selection=dg.AssetSelection.assets(luma_sync), tags=RUN_TAGS,
    description="One incremental Luma sync into the live events and attendance (or the candidates before the first cutover).",
)
luma_freshness_job = dg.define_asset_job(
    "luma_freshness", selection=dg.AssetSelection.checks(luma_sync_fresh),
    description="Is the last successful Luma sync recent enough?",
)


def _status(name: str) -> dg.DefaultScheduleStatus:
    running = os.environ.get(name, "").strip().lower() == "running"
    return dg.DefaultScheduleStatus.RUNNING if running else dg.DefaultScheduleStatus.STOPPED


sync_luma_schedule = dg.ScheduleDefinition(
    name="sync_luma_schedule", job=sync_luma_job, cron_schedule=os.environ.get("CUTOVER_SYNC_CRON", "*/15 * * * *"),
    execution_timezone="UTC", default_status=_status("CUTOVER_SYNC_SCHEDULE"),
)
luma_freshness_schedule = dg.ScheduleDefinition(
    name="luma_freshness_schedule", job=luma_freshness_job, cron_schedule=os.environ.get("CUTOVER_FRESHNESS_CRON", "*/30 * * * *"),
    execution_timezone="UTC", default_status=_status("CUTOVER_SYNC_SCHEDULE"),
)

defs = dg.Definitions(
    assets=[luma_sync], asset_checks=[luma_sync_fresh],
    jobs=[sync_luma_job, luma_freshness_job], schedules=[sync_luma_schedule, luma_freshness_schedule],
)

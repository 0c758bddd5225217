"""The cutover's copy time on the dry-run's scratch database: `cutover apply`, then `cutover rollback`.

Decisions:
- Before the apply, each application's live tables are filled with the candidate rows (the copy
  code itself, untimed): a real cutover replaces an application's current rows, about as many as
  the candidates, so the apply keeps N rows in `<app>_prev`, deletes N and inserts N, and the
  rollback does the same the other way. Empty live tables would time half of that.
- Timed in process, per application, around apply_latest / rollback_latest (one transaction each,
  preconditions and count checks included), not the CLI: the Dagster run's start-up (seconds) is
  the same at every scale and would hide the copy.
- "rows copied" = rows written by the step: the live rows kept (`<app>_prev`, `<app>_rolled_back`)
  plus the rows inserted into the live tables (the deletes are not counted).
- `path` (per step) says which copy ran (assets/cutover/rows.py): `replica` (per-row foreign-key checks off,
  every key verified at once) where the role may, else `triggers`; CUTOVER_REPLICA_COPY=off times
  the latter on purpose.
"""

from __future__ import annotations

import os
import time

APP_SETTINGS = ("PODIUM_DATABASE_URL", "HELLO_MIAMI_DATABASE_URL", "PODIUM_SCHEMA", "HELLO_MIAMI_SCHEMA")


def _rows(conn, app: str, schemas: list[str]) -> int:
    """The application tables' rows in `schemas` (not Podium's version table, never copied)."""
    from assets.cutover import catalog
    from pipelines import registry

    mine = set(registry.APPLICATIONS[app].tables)
    return sum(n for s in schemas for t, n in catalog.row_counts(conn, s).items() if t in mine)


def time_cutover(url: str) -> dict:
    """{"apply": {"rows", "seconds", "per_app", "path"}, "rollback": {...}} on `url` (both applications there)."""
    from assets.cutover import preconditions, rows
    from pipelines import live
    from assets.cutover.apply import apply_latest
    from assets.cutover.rollback import rollback_latest
    from pipelines import targets
    from pipelines.database import connect

    saved = dict(os.environ)
    os.environ["DATABASE_URL"] = url
    for name in APP_SETTINGS:
        os.environ.pop(name, None)
    try:
        apps = targets.targets()
        for target in apps:
            with connect(target.url) as conn:
                rows.replace_rows(conn, target.schema, target.candidate_schema, rows.copy_order(conn, target))
                # as if those rows had been live when the dry-run ran: it lands the live tables, and
                # apply refuses a live table written since (README "Rows already live")
                live.land(conn, target, preconditions.latest_dry_run(conn, target.app)["run_id"])
        steps = {
            "apply": (apply_latest, lambda t: [t.schema, t.prev_schema]),
            "rollback": (rollback_latest, lambda t: [t.schema, rows.rolled_back_schema(t)]),
        }
        with connect(apps[0].url) as conn:
            path = "replica" if rows.replica_permitted(conn) else "triggers"
        result = {}
        for step, (run, written) in steps.items():
            per_app = {}
            for target in apps:
                started = time.perf_counter()
                run(target)
                seconds = time.perf_counter() - started
                with connect(target.url) as conn:
                    per_app[target.app] = {"rows": _rows(conn, target.app, written(target)), "seconds": round(seconds, 3)}
            result[step] = {"rows": sum(p["rows"] for p in per_app.values()),
                            "seconds": round(sum(p["seconds"] for p in per_app.values()), 3), "per_app": per_app, "path": path}
        return result
    finally:
        os.environ.clear()
        os.environ.update(saved)

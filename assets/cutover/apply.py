"""`cutover apply`: one application's latest passing dry-run's candidate rows become its live rows.

Everything for one application (preconditions, the row copy, the count check, the
migration.cutovers row) happens in one transaction in that application's database, so a cutover
row exists exactly when the copy committed. Running it twice is safe: when the application's latest
dry-run is already live, apply is a no-op that says so (exit 0). Both applications, or one with
`--app`: assets/cutover/per_app.py; a few of its tables with `--tables`: assets/cutover/partial.py.
"""

from __future__ import annotations

import json

import psycopg

from pipelines.errors import CutoverError, GateFailed
from pipelines.ledger import operator

from assets.cutover import locks, partial, preconditions, rows, source_check
from assets.cutover.findings import checked


def _locked(conn) -> None:
    try:
        locks.hold_for_transaction(conn)
    except psycopg.errors.LockNotAvailable as exc:
        raise CutoverError(
            f"another dry-run, apply, rollback or Luma sync holds the cutover lock (waited {locks.lock_timeout_seconds():.0f} s, "
            "CUTOVER_LOCK_TIMEOUT_SECONDS): wait for it to finish and run again."
        ) from exc


def _refuse(sentence: str) -> None:
    raise GateFailed(sentence)


def apply_latest(target, tables: list[str] | None = None, record: dict | None = None) -> dict:
    """Returns {"status": "applied"|"noop", "message", "cutover_id", "run_id", "counts"}; `tables`
    (checked by partial.named): only those tables. `record` (for the apply's report,
    assets/cutover/report.py) receives the dry-run, each check's findings and the counts before and after."""
    from pipelines.database import connect

    app = target.app
    record = {} if record is None else record
    with connect(target.url) as conn:
        _locked(conn)
        run = preconditions.latest_dry_run(conn, app)
        if run is None:
            raise GateFailed("no dry-run has been recorded in migration.runs: run `cutover dry-run` first.")
        order = rows.copy_order(conn, target, tables)
        before = rows.counts(conn, target, target.schema, order)
        record.update(dry_run_id=run["run_id"], dry_run_report_dir=run["report_dir"], tables=order,
                      counts_before=before, counts_after=before)
        live, moved_before = partial.already_moved(conn, run["run_id"], app, tables)
        if live:
            which = f"dry-run {run['run_id']}" + (f"'s {', '.join(tables)}" if tables else "")
            return {
                "status": "noop", "run_id": run["run_id"], "cutover_id": live["cutover_id"], "counts": {},
                "message": f"{which} is already live (cutover {live['cutover_id']} at {live['applied_at']:%Y-%m-%d %H:%M} UTC); nothing to apply.",
            }
        checked(record, "dry-run passed", preconditions.check_passed, conn, run, app)
        checked(record, "recorded sources unchanged", preconditions.check_sources_unchanged, conn, run, app)
        checked(record, "same DDL", preconditions.check_same_ddl, conn, target)
        candidate_counts = checked(record, "candidates built by the dry-run", preconditions.check_candidates_built_by, conn, run, target, tables)
        record["candidate_counts"] = candidate_counts
        if moved_before:
            checked(record, "tables not cut over before", _refuse, moved_before)
        # the sources first: asking them may take a while (Airtable's rate limit), and the application
        # must not wait for it behind the live tables' lock
        sources = checked(record, "source check", source_check.check, conn, run, app)
        # the live checks hold the lock the copy takes, so no application write slips in between
        rows.lock(conn, target.schema, order, rows.LIVE_LOCK)
        if tables:
            checked(record, "named tables' references", partial.check_references, conn, target, order)
        checked(record, "live writes since the dry-run", preconditions.check_live_unchanged, conn, run, target, tables)
        checked(record, "no live row lost", preconditions.check_no_live_row_lost, conn, target, order)
        checked(record, "foreign keys", preconditions.check_candidate_references, conn, target, order)
        cutover_id = conn.execute(
            """
            insert into migration.cutovers (run_id, app, applied_at, operator, counts, status, detail, tables)
            values (%s, %s, now(), %s, '{}'::jsonb, 'applied', '{}'::jsonb, %s) returning cutover_id
            """,
            (run["run_id"], app, operator(), tables),
        ).fetchone()[0]
        result = rows.promote_candidates(conn, target, tables)
        live_counts = result["live_counts"]
        if live_counts != candidate_counts:
            diff = {k: (candidate_counts.get(k), live_counts.get(k)) for k in set(live_counts) | set(candidate_counts) if candidate_counts.get(k) != live_counts.get(k)}
            raise CutoverError(f"after the copy the live counts differ from the candidate counts {diff}; the cutover was rolled back, nothing changed.")
        detail = {"previous_counts": result["previous_counts"], "prev_schema": target.prev_schema, "live_schema": target.schema,
                  "source_check": sources}
        conn.execute(
            "update migration.cutovers set counts = %s::jsonb, detail = %s::jsonb where cutover_id = %s",
            (json.dumps(live_counts), json.dumps(detail), cutover_id),
        )
    record.update(cutover_id=cutover_id, counts_before=result["previous_counts"], counts_after=live_counts)
    released = source_check.release(target.url, run, app)  # committed: the dry-run's Airtable webhook is done with
    total = sum(live_counts.values())
    return {
        "status": "applied", "run_id": run["run_id"], "cutover_id": cutover_id, "counts": live_counts,
        "message": f"cutover {cutover_id}: dry-run {run['run_id']} is live in {target.schema} ({total} rows in {len(live_counts)} tables{': ' + ', '.join(tables) if tables else ''}, counts equal the candidates; {source_check.said(sources)}); the previous live rows are kept in {target.prev_schema}.{' ' + released if released else ''}",
    }

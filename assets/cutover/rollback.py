"""`cutover rollback [--force]`: one application's live rows back to what they were before its
latest cutover, copied from `<app>_prev` in one transaction in its database (assets/cutover/rows.py).

Decisions:
- What would be lost is known exactly: the cutover installed statement-level triggers that count
  every insert, update, delete and truncate on the live tables into migration.live_writes (the
  Luma sync's own writes are counted too and named as such: they came from Luma and the next sync
  writes them again). Any write refuses (exit 3) unless --force, listing the rows per table.
- Afterwards the restored live counts must equal the counts recorded at apply for the previous
  live state ("live data equals what it was before"); otherwise the transaction is rolled back.
- Safe to run twice: when the latest cutover is already rolled back, it is a no-op (exit 0).
- A cutover of a few tables (`migration.cutovers.tables`) is undone for exactly those tables; only
  the writes counted on them would be lost (assets/cutover/partial.py).
"""

from __future__ import annotations

import json
from pathlib import Path

from pipelines.errors import CutoverError, GateFailed

from assets.cutover import catalog, preconditions, rows
from assets.cutover.apply import _locked
from assets.cutover.findings import checked, refused

HERE = Path(__file__).resolve().parent


def lost_writes(conn, cutover_id: int, schema: str | None = None, tables: list[str] | None = None) -> list[dict]:
    """Rows written since the cutover, per live table (`schema.table`; of `tables` only, when given)."""
    rows = conn.execute((HERE / "lost_writes.sql").read_text(), {"cutover_id": cutover_id}).fetchall()
    keys = ("table", "inserted", "updated", "deleted", "truncated", "by_luma_sync")
    wanted = None if tables is None else {f"{schema}.{t}" for t in tables}
    return [dict(zip(keys, (r[0], *map(int, r[1:])))) for r in rows if wanted is None or r[0] in wanted]


def describe(losses: list[dict]) -> str:
    parts = []
    for loss in losses:
        changed = loss["inserted"] + loss["updated"] + loss["deleted"]
        words = f"{changed} rows ({loss['inserted']} inserted, {loss['updated']} updated, {loss['deleted']} deleted"
        if loss["truncated"]:
            words += f", truncated {loss['truncated']} times"
        if loss["by_luma_sync"]:
            words += f"; {loss['by_luma_sync']} by the Luma sync"
        parts.append(f"{loss['table']}: {words})")
    return "; ".join(parts)


def _unforced_losses(conn, latest: dict, target, force: bool) -> dict:
    """The rows written since the cutover ({"written": [...]}, lost_writes), refused unless forced."""
    cutover_id = latest["cutover_id"]
    losses = lost_writes(conn, cutover_id, target.schema, latest["tables"])
    if losses and not force:
        raise refused(
            f"the live tables were written since cutover {cutover_id}; rolling back would lose {describe(losses)}. "
            f"Run `cutover rollback --app {target.app} --force` to roll back anyway.",
            written=losses,
        )
    return {"written": losses}


def rollback_latest(target, force: bool = False, record: dict | None = None) -> dict:
    """`record` (for the rollback's report, assets/cutover/report.py) receives the cutover, the
    writes counted since it, the tables restored and the counts before and after."""
    from pipelines.database import connect

    record = {} if record is None else record
    with connect(target.url) as conn:
        _locked(conn)
        latest = preconditions.latest_cutover(conn, target.app)
        if latest is None:
            raise GateFailed(f"there is no cutover to roll back for {target.app} (migration.cutovers has none).")
        cutover_id, run_id = latest["cutover_id"], latest["run_id"]
        report_dir = conn.execute("select report_dir from migration.runs where run_id = %s", (run_id,)).fetchone()
        record.update(cutover_id=cutover_id, dry_run_id=run_id, dry_run_report_dir=report_dir and report_dir[0])
        if latest["status"] == "rolled_back":
            return {
                "status": "noop", "cutover_id": cutover_id, "lost": [],
                "message": f"cutover {cutover_id} (dry-run {run_id}) was already rolled back at {latest['rolled_back_at']:%Y-%m-%d %H:%M} UTC; nothing to do (only one generation is kept).",
            }
        if not catalog.schema_exists(conn, target.prev_schema):
            raise CutoverError(f"cannot roll back cutover {cutover_id}: schema {target.prev_schema} holding the previous live rows is gone.")
        tables = latest["tables"]
        order = rows.copy_order(conn, target, tables)
        before = rows.counts(conn, target, target.schema, order)
        record.update(tables=order, counts_before=before, counts_after=before, forced=False)
        losses = checked(record, "writes since the cutover", _unforced_losses, conn, latest, target, force)["written"]
        result = rows.restore_previous(conn, target, tables)
        restored = result["live_counts"]
        expected = (latest["detail"] or {}).get("previous_counts")
        if expected is not None and restored != expected:
            raise CutoverError(f"after the copy back the live counts {restored} differ from the counts before cutover {cutover_id} {expected}; nothing changed.")
        record["checks"].append({"check": "counts as before the cutover", "passed": True,
                                 "found": "not recorded at apply" if expected is None else "the restored counts equal those before the cutover"})
        note = {"rollback": {"forced": bool(force and losses), "lost": losses, "rolled_back_schema": rows.rolled_back_schema(target),
                             "counters_removed": result["counters_removed"]}}
        conn.execute(
            """
            update migration.cutovers set status = 'rolled_back', rolled_back_at = now(),
                   detail = coalesce(detail, '{}'::jsonb) || %s::jsonb
             where cutover_id = %s
            """,
            (json.dumps(note), cutover_id),
        )
    message = (f"cutover {cutover_id} rolled back: {target.schema} holds the rows from before it again ({sum(restored.values())} rows{' of ' + ', '.join(tables) if tables else ''}); "
               f"the replaced rows are kept in {rows.rolled_back_schema(target)}")
    if not result["counters_removed"]:
        message += f"; the write-counting triggers stay on {target.schema}'s tables (a reader held them longer than {rows.DROP_TRIGGER_WAIT}), inert until the next cutover"
    if losses:
        message += f"; lost (forced): {describe(losses)}"
    record.update(counts_after=restored, forced=bool(force and losses))
    return {"status": "rolled_back", "cutover_id": cutover_id, "lost": losses, "message": message + "."}

"""`cutover rollback [--force]`: back to the live state from before the latest cutover.

Decisions:
- What would be lost is known exactly: the cutover installed statement-level triggers that count
  every insert, update, delete and truncate on the live tables into migration.live_writes (the
  Luma sync's own writes are counted too and named as such: they came from Luma and the next sync
  writes them again). Any write refuses (exit 3) unless --force, listing the rows per table.
- Afterwards the restored live counts must equal the counts recorded at apply for the previous
  live state ("live data equals what it was before"); otherwise the transaction is rolled back.
- Safe to run twice: when the latest cutover is already rolled back, it is a no-op (exit 0).
"""

from __future__ import annotations

import json
from pathlib import Path

from pipelines.errors import CutoverError, GateFailed

from assets.cutover import catalog, swap
from assets.cutover.apply import _locked

HERE = Path(__file__).resolve().parent


def lost_writes(conn, cutover_id: int) -> list[dict]:
    rows = conn.execute((HERE / "lost_writes.sql").read_text(), {"cutover_id": cutover_id}).fetchall()
    keys = ("table", "inserted", "updated", "deleted", "truncated", "by_luma_sync")
    return [dict(zip(keys, (r[0], *map(int, r[1:])))) for r in rows]


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


def rollback_latest(url: str, force: bool = False) -> dict:
    from pipelines.database import connect

    with connect(url) as conn:
        _locked(conn)
        row = conn.execute(
            "select cutover_id, run_id, status, rolled_back_at, detail from migration.cutovers order by cutover_id desc limit 1"
        ).fetchone()
        if row is None:
            raise GateFailed("there is no cutover to roll back (migration.cutovers is empty).")
        cutover_id, run_id, status, rolled_back_at, detail = row
        if status == "rolled_back":
            return {
                "status": "noop", "cutover_id": cutover_id, "lost": [],
                "message": f"cutover {cutover_id} (dry-run {run_id}) was already rolled back at {rolled_back_at:%Y-%m-%d %H:%M} UTC; nothing to do (only one generation is kept).",
            }
        missing = [f"{a}_prev" for a in swap.APPS if not catalog.schema_exists(conn, f"{a}_prev")]
        if missing:
            raise CutoverError(f"cannot roll back cutover {cutover_id}: schema {', '.join(missing)} holding the previous live state is gone.")
        losses = lost_writes(conn, cutover_id)
        if losses and not force:
            raise GateFailed(
                f"the live tables were written since cutover {cutover_id}; rolling back would lose {describe(losses)}. "
                "Run `cutover rollback --force` to roll back anyway."
            )
        restored = swap.restore_previous(conn)
        expected = (detail or {}).get("previous_counts")
        if expected is not None and restored != expected:
            raise CutoverError(f"after the swap back the live counts {restored} differ from the counts before cutover {cutover_id} {expected}; nothing changed.")
        note = {"rollback": {"forced": bool(force and losses), "lost": losses, "rolled_back_schemas": {a: f"{a}_rolled_back" for a in swap.APPS}}}
        conn.execute(
            """
            update migration.cutovers set status = 'rolled_back', rolled_back_at = now(),
                   detail = coalesce(detail, '{}'::jsonb) || %s::jsonb
             where cutover_id = %s
            """,
            (json.dumps(note), cutover_id),
        )
    message = f"cutover {cutover_id} rolled back: the live schemas hold the state from before it again ({sum(restored.values())} rows)"
    if losses:
        message += f"; lost (forced): {describe(losses)}"
    return {"status": "rolled_back", "cutover_id": cutover_id, "lost": losses, "message": message + "."}

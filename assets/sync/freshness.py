"""How old the last successful Luma sync is (for the `luma_sync_fresh` asset check)."""

from __future__ import annotations


def last_success_age(conn) -> float | None:
    """Minutes since the last successful sync finished, None when there never was one."""
    row = conn.execute(
        "select extract(epoch from now() - max(finished_at)) / 60 from migration.luma_syncs where status = 'success'"
    ).fetchone()
    return None if row is None or row[0] is None else float(row[0])

"""The atomic schema swaps behind `cutover apply` and `cutover rollback`.

Decisions:
- Atomicity: both applications' schemas are renamed inside ONE transaction that first takes
  ACCESS EXCLUSIVE locks on every table involved. PostgreSQL's DDL is transactional, so a reader
  sees the old live schemas or the new ones, never a mix, and a process killed mid-swap leaves
  everything as it was (the server rolls the open transaction back).
- Generations: the previous live schemas are kept as `podium_prev` / `hello_miami_prev`, ONE
  generation (a second apply drops the first one's `_prev`): rollback goes back to the state
  before the latest cutover, which is what SPEC §5 asks. A rolled-back live state is kept as
  `podium_rolled_back` / `hello_miami_rolled_back` (one generation too) for inspection.
- Grants: the new live schemas get the old live schemas' owner, ACL and default privileges, and
  each table the old table's owner and ACL (catalog.take_acl / give_acl). The fresh candidate
  schemas get the old candidate schemas' grants back.
- Writes after a cutover are counted by statement-level triggers (live_writes_function.sql) into
  migration.live_writes; rollback reads them to say what it would lose.
- One lock for everything that writes live tables: the transaction-scoped advisory lock
  `cutover/exclusive`, which the Luma sync also takes (assets/cutover/locks.py).
"""

from __future__ import annotations

import os
from pathlib import Path

from psycopg import sql

from assets.cutover import catalog
from migrations.ddl import reset_candidate_schema
from pipelines import targets

HERE = Path(__file__).resolve().parent
APPS = ("podium", "hello_miami")
TRIGGER_EVENTS = {"insert": "referencing new table as new_rows", "update": "referencing new table as new_rows old table as old_rows", "delete": "referencing old table as old_rows"}


def _pause_for_tests(conn, app: str) -> None:
    """Test hook: CUTOVER_TEST_PAUSE_IN_SWAP=<seconds> sleeps inside the swap transaction after the
    first application was swapped and before the second, so a test can kill the process there."""
    seconds = os.environ.get("CUTOVER_TEST_PAUSE_IN_SWAP")
    if seconds and app == APPS[0]:
        conn.execute("select pg_sleep(%s)", (float(seconds),))


def install_write_counters(conn, schema: str, cutover_id: int) -> None:
    conn.execute((HERE / "live_writes_function.sql").read_text())
    for table in catalog.tables(conn, schema):
        target = sql.SQL("{}.{}").format(sql.Identifier(schema), sql.Identifier(table))
        for event, referencing in TRIGGER_EVENTS.items():
            conn.execute(
                sql.SQL("create trigger {} after {} on {} {} for each statement execute function migration.count_live_writes({})").format(
                    sql.Identifier(f"cutover_live_writes_{event}"), sql.SQL(event), target, sql.SQL(referencing), sql.Literal(str(cutover_id))
                )
            )
        conn.execute(
            sql.SQL("create trigger cutover_live_writes_truncate after truncate on {} for each statement execute function migration.count_live_writes({})").format(
                target, sql.Literal(str(cutover_id))
            )
        )


def drop_write_counters(conn, schema: str) -> None:
    if not catalog.schema_exists(conn, schema):
        return
    for table in catalog.tables(conn, schema):
        target = sql.SQL("{}.{}").format(sql.Identifier(schema), sql.Identifier(table))
        for event in (*TRIGGER_EVENTS, "truncate"):
            conn.execute(sql.SQL("drop trigger if exists {} on {}").format(sql.Identifier(f"cutover_live_writes_{event}"), target))


def promote_candidates(conn, cutover_id: int) -> dict:
    """Inside the caller's transaction: live -> _prev, _next -> live, fresh empty _next.
    Returns {"previous_counts": {...}, "live_counts": {...}} as `app.table` -> rows."""
    catalog.lock_schemas(conn, [s for app in APPS for s in (app, f"{app}_next", f"{app}_prev")])
    previous = {f"{app}.{t}": n for app in APPS for t, n in catalog.row_counts(conn, app).items()}
    for app in APPS:
        live, candidate, prev = app, f"{app}_next", f"{app}_prev"
        live_acl, candidate_acl = catalog.take_acl(conn, live), catalog.take_acl(conn, candidate)
        catalog.drop_schema(conn, prev)
        drop_write_counters(conn, live)
        catalog.rename_schema(conn, live, prev)
        catalog.rename_schema(conn, candidate, live)
        catalog.give_acl(conn, live, live_acl)
        reset_candidate_schema(conn, targets.target(app))  # a clone of the new live tables (migrations/ddl)
        catalog.give_acl(conn, candidate, candidate_acl)
        install_write_counters(conn, live, cutover_id)
        _pause_for_tests(conn, app)
    live_counts = {f"{app}.{t}": n for app in APPS for t, n in catalog.row_counts(conn, app).items()}
    return {"previous_counts": previous, "live_counts": live_counts}


def restore_previous(conn) -> dict[str, int]:
    """Inside the caller's transaction: live -> _rolled_back, _prev -> live. Returns live counts."""
    catalog.lock_schemas(conn, [s for app in APPS for s in (app, f"{app}_prev")])
    for app in APPS:
        live, prev, rolled_back = app, f"{app}_prev", f"{app}_rolled_back"
        catalog.drop_schema(conn, rolled_back)
        drop_write_counters(conn, live)
        catalog.rename_schema(conn, live, rolled_back)
        catalog.rename_schema(conn, prev, live)
        _pause_for_tests(conn, app)
    return {f"{app}.{t}": n for app in APPS for t, n in catalog.row_counts(conn, app).items()}

"""Cut over rows, not schemas (issue 13): what `cutover apply` and `cutover rollback` do to ONE
application's live tables, inside the caller's transaction in that application's database.

Decisions:
- The live tables are the application's: never renamed, dropped, recreated, truncated or re-owned.
  Their rows are replaced: deleted in reverse foreign-key order (children first), then the source
  rows inserted in foreign-key order (parents first), the order read from the catalog
  (foreign_keys.sql). Columns are copied by name (copy_columns.sql; generated columns are left to
  PostgreSQL, identity columns take the copied values; no sequence is advanced past them, which
  the targets, keyed by uuids, do not need). So the tables keep their OIDs, names,
  owners, grants, indexes, the application's own triggers (disabled for the copy, so the rows
  arrive exactly as judged, and enabled again as they were before the commit), publication
  membership (a subscriber receives the replacement as one transaction of deletes and inserts) and
  Podium's `alembic_version` row: only the registry's tables are copied.
- The copy runs under `session_replication_role = replica` where the role may set it (superuser,
  or SET granted on the parameter; CUTOVER_REPLICA_COPY=off forces the other path): PostgreSQL's
  per-row foreign-key triggers are skipped and verify_foreign_keys checks every key of the copied
  tables at once (one anti-join per constraint, from the catalog) before the commit, aborting with
  the constraint and the count. Otherwise the per-row checks run. Chosen from measurements (README
  "Cutover and rollback"): Podium's keys are NO ACTION on unindexed columns, so each deleted parent
  row scanned its child tables (>100 s for `delete from podium.events` alone at scale 100).
  Temporary indexes on the referencing columns were the other candidate: each apply would build
  them over every child table, and dropping them before the commit takes ACCESS EXCLUSIVE on the
  application's tables (its readers wait), which the copy otherwise never takes.
- Locks: EXCLUSIVE on the live tables (blocks writers, and `select … for update`, never a plain
  `select`), SHARE on the source tables. Readers keep reading the old rows (MVCC) until the commit
  and then see the new ones, never a mix; a killed process leaves the live rows as they were (the
  server rolls the open transaction back). No TRUNCATE (ACCESS EXCLUSIVE) on a live table.
- The previous live rows are kept in `<app>_prev` (tables made `like` the live ones, in our own
  schema), ONE generation: each apply replaces it. Rollback copies them back and keeps the rows it
  replaces in `<app>_rolled_back` for inspection (one generation too), then drops `<app>_prev`.
- The candidates are emptied after an apply (TRUNCATE of our own candidate tables): their rows are
  live now, the next dry-run rebuilds them, and an apply after a rollback is refused instead of
  re-applying stale candidates.
- Writes to the live tables while a cutover is in effect are counted by statement-level triggers
  named `cutover_live_writes_<event>` (live_writes_function.sql), our only addition to the
  application's tables, installed by apply and removed by rollback. They count only while the
  application's latest cutover is applied, and never the cutover's own copy, so a trigger that
  stays (its removal is given up when it would wait for a reader, below) is inert. They are kept,
  rather than comparing the live rows with the applied ones at rollback, because a rollback must
  say how many rows it would lose and whether the Luma sync wrote them, which a comparison cannot
  tell, and it needs no third copy of the data.
- Removing a trigger takes ACCESS EXCLUSIVE until the commit. Rollback does it last, after the copy,
  waiting at most DROP_TRIGGER_WAIT for running readers (readers that arrive meanwhile wait too,
  so that is the longest a rollback blocks a reader); if the wait runs out, the triggers stay,
  inert, and the rollback says so.
"""

from __future__ import annotations

import graphlib
import os
from pathlib import Path

import psycopg
from psycopg import sql

from pipelines import registry
from pipelines.errors import CutoverError

from assets.cutover import catalog, foreign_keys

HERE = Path(__file__).resolve().parent
TRIGGER_PREFIX = "cutover_live_writes_"
TRIGGER_EVENTS = {
    "insert": "referencing new table as new_rows for each statement",
    "update": "referencing new table as new_rows old table as old_rows for each statement",
    "delete": "referencing old table as old_rows for each statement",
    "truncate": "for each statement",
}
LIVE_LOCK = "exclusive"  # writers wait for the commit, readers never do
DROP_TRIGGER_WAIT = "1s"
ENABLE = {"O": "enable", "A": "enable always", "R": "enable replica"}  # pg_trigger.tgenabled
PAUSE_VARIABLE = "CUTOVER_TEST_PAUSE_IN_SWAP"
REPLICA_SETTING = "CUTOVER_REPLICA_COPY"  # `off`: always the trigger path, even where replica is permitted
# which pg_trigger.tgenabled states fire under each session_replication_role
FIRES = {"origin": {"O", "A"}, "replica": {"R", "A"}}


def rolled_back_schema(target) -> str:
    return f"{target.app}_rolled_back"


def _name(schema: str, table: str) -> sql.Composable:
    return sql.SQL("{}.{}").format(sql.Identifier(schema), sql.Identifier(table))


def _pause_for_tests(conn) -> None:
    """Test hook: CUTOVER_TEST_PAUSE_IN_SWAP=<seconds> sleeps inside the transaction after the rows
    were copied and before the commit, so a test can read meanwhile or kill the process there."""
    seconds = os.environ.get(PAUSE_VARIABLE)
    if seconds:
        conn.execute("select pg_sleep(%s)", (float(seconds),))


def copy_order(conn, target, tables=None) -> list[str]:
    """The application's tables (the registry's, so never Podium's `alembic_version` nor any other
    table the application keeps beside them; only `tables` when given) present in its live schema,
    parents before the tables referencing them (ties by name)."""
    live = set(catalog.tables(conn, target.schema))
    names = [t for t in registry.APPLICATIONS[target.app].tables if t in live and (tables is None or t in tables)]
    graph = graphlib.TopologicalSorter({t: set() for t in names})
    for key in foreign_keys.of_schema(conn, target.schema):
        # a table referencing itself gets its rows in one statement, checked at the statement's end
        if key.child in names and key.parent in names and key.child != key.parent:
            graph.add(key.child, key.parent)
    try:
        graph.prepare()
    except graphlib.CycleError as exc:
        raise CutoverError(f"the foreign keys of {target.app}'s tables in schema {target.schema} form a cycle ({' -> '.join(exc.args[1])}), so there is no order to copy their rows in.") from exc
    order: list[str] = []
    while graph.is_active():
        ready = sorted(graph.get_ready())
        order.extend(ready)
        graph.done(*ready)
    return order


def _columns(conn, schema: str, table: str, source: str) -> list[str]:
    rows = conn.execute((HERE / "copy_columns.sql").read_text(), {"schema": schema, "table": table, "source": source}).fetchall()
    return [r[0] for r in rows]


def lock(conn, schema: str, tables: list[str], mode: str) -> None:
    if tables:
        conn.execute(sql.SQL("lock table {} in {} mode").format(sql.SQL(", ").join(_name(schema, t) for t in tables), sql.SQL(mode)))


def keep(conn, live: str, into: str, order: list[str], fresh: bool = True) -> None:
    """`into` holding a copy of the live tables' rows (tables `like` the live ones): a fresh schema,
    or (`fresh=False`, a cutover of a few tables) only those tables replaced, the others kept."""
    if fresh:
        conn.execute(sql.SQL("drop schema if exists {} cascade").format(sql.Identifier(into)))
    conn.execute(sql.SQL("create schema if not exists {}").format(sql.Identifier(into)))
    for table in order:
        conn.execute(sql.SQL("drop table if exists {}").format(_name(into, table)))
        conn.execute(sql.SQL("create table {} (like {})").format(_name(into, table), _name(live, table)))
        conn.execute(sql.SQL("insert into {} select * from {}").format(_name(into, table), _name(live, table)))


def _app_triggers(conn, live: str, tables: list[str]) -> list[tuple[str, str, str]]:
    params = {"schema": live, "tables": tables, "ours": TRIGGER_PREFIX + "%"}
    return conn.execute((HERE / "app_triggers.sql").read_text(), params).fetchall()


def _set_trigger(conn, live: str, table: str, trigger: str, how: str) -> None:
    conn.execute(sql.SQL("alter table {} {} trigger {}").format(_name(live, table), sql.SQL(how), sql.Identifier(trigger)))


def replica_permitted(conn) -> bool:
    """The copy may run with `session_replication_role = replica` (a superuser, or a role granted
    SET on the parameter, PostgreSQL 15+), unless CUTOVER_REPLICA_COPY=off."""
    if os.environ.get(REPLICA_SETTING, "auto").strip().lower() in ("off", "0", "false", "no"):
        return False
    return bool(conn.execute(
        "select current_setting('is_superuser') = 'on' or has_parameter_privilege('session_replication_role', 'SET')"
    ).fetchone()[0])


def verify_foreign_keys(conn, live: str, copied: list[str]) -> None:
    """Every foreign key touching the copied tables holds afterwards (the replica copy skipped
    PostgreSQL's per-row checks): one anti-join per constraint; a broken one aborts the copy."""
    broken = []
    for key in foreign_keys.of_schema(conn, live):
        if key.child in copied or key.parent in copied:
            count = foreign_keys.dangling(conn, key, live, live)
            if count:
                broken.append((key, count))
    if broken:
        raise CutoverError(f"the copied rows break foreign keys ({foreign_keys.described(broken, live, lambda k: live)}); "
                           "the copy was rolled back, nothing changed.")


def replace_rows(conn, live: str, source: str, order: list[str]) -> None:
    """The live tables' rows become `source`'s: delete children first, insert parents first.

    Where the role may (replica_permitted), the copy runs with `session_replication_role =
    replica`: PostgreSQL then skips its per-row foreign-key triggers (each deleted parent row of a
    NO ACTION key otherwise scans its unindexed child tables: >100 s for Podium's events at scale
    100) and the application's ordinary triggers; verify_foreign_keys then checks every key at
    once before anything commits. Elsewhere the per-row checks run (a violation is one sentence).
    The application's triggers that would still fire (ENABLE ALWAYS, and ENABLE REPLICA under
    replica) are disabled for the copy and enabled again as they were before the commit (SHARE ROW
    EXCLUSIVE: readers go on), so the rows arrive exactly as the dry-run judged them (or, at
    rollback, exactly as they were) and no trigger acts twice on a copied state."""
    conn.execute("select set_config('cutover.writer', 'cutover', true)")  # the counters skip the copy itself
    present = set(catalog.tables(conn, source))
    copied = [t for t in order if t in present]
    role = "replica" if replica_permitted(conn) else "origin"
    paused = [t for t in _app_triggers(conn, live, copied) if t[2] in FIRES[role]]
    for table, trigger, _ in paused:
        _set_trigger(conn, live, table, trigger, "disable")
    conn.execute("select set_config('session_replication_role', %s, true)", (role,))
    try:
        for table in reversed(copied):
            conn.execute(sql.SQL("delete from {}").format(_name(live, table)))
        for table in copied:
            columns = sql.SQL(", ").join(map(sql.Identifier, _columns(conn, live, table, source)))
            conn.execute(
                sql.SQL("insert into {} ({}) overriding system value select {} from {}").format(
                    _name(live, table), columns, columns, _name(source, table)
                )
            )
    except psycopg.errors.ForeignKeyViolation as exc:
        raise CutoverError(f"copying the rows of {source} into {live} broke foreign key {exc.diag.constraint_name} of "
                           f"{live}.{exc.diag.table_name}; the copy was rolled back, nothing changed.") from None
    conn.execute("select set_config('session_replication_role', 'origin', true)")
    if role == "replica":
        verify_foreign_keys(conn, live, copied)
    for table, trigger, enabled in paused:
        _set_trigger(conn, live, table, trigger, ENABLE[enabled])
    conn.execute("select set_config('cutover.writer', '', true)")


def counts(conn, target, schema: str, order: list[str]) -> dict[str, int]:
    """`app.table` -> rows of `order` in `schema`."""
    return {f"{target.app}.{t}": catalog.row_counts_of(conn, schema, t) for t in order}


def install_write_counters(conn, target, order: list[str]) -> None:
    """The counting triggers on every live table that lacks them (an earlier rollback may have left them)."""
    conn.execute((HERE / "live_writes_function.sql").read_text())
    have = {
        r[0]
        for r in conn.execute(
            """select c.relname || '/' || t.tgname from pg_trigger t join pg_class c on c.oid = t.tgrelid
                join pg_namespace n on n.oid = c.relnamespace where n.nspname = %s and t.tgname like %s""",
            (target.schema, TRIGGER_PREFIX + "%"),
        )
    }
    for table in order:
        for event, clause in TRIGGER_EVENTS.items():
            trigger = TRIGGER_PREFIX + event
            if f"{table}/{trigger}" in have:
                continue
            conn.execute(
                sql.SQL("create trigger {} after {} on {} {} execute function migration.count_live_writes({})").format(
                    sql.Identifier(trigger), sql.SQL(event), _name(target.schema, table), sql.SQL(clause), sql.Literal(target.app)
                )
            )


def drop_write_counters(conn, target, order: list[str]) -> bool:
    """Remove the counting triggers, waiting at most DROP_TRIGGER_WAIT for readers; False when they stay."""
    try:
        with conn.transaction():  # a savepoint: giving up keeps the rollback itself
            conn.execute("select set_config('lock_timeout', %s, true)", (DROP_TRIGGER_WAIT,))
            for table in order:
                for event in TRIGGER_EVENTS:
                    conn.execute(sql.SQL("drop trigger if exists {} on {}").format(sql.Identifier(TRIGGER_PREFIX + event), _name(target.schema, table)))
    except psycopg.errors.LockNotAvailable:
        return False
    return True


def promote_candidates(conn, target, tables=None) -> dict:
    """Inside the caller's transaction: live rows -> `<app>_prev`, candidate rows -> live, write
    counters on; for the whole application (`tables` None) a fresh `<app>_prev` and the candidates
    emptied, for a few tables only theirs replaced in `<app>_prev` and every candidate kept (see
    assets/cutover/partial.py). Returns {"previous_counts", "live_counts"} as `app.table` -> rows."""
    order = copy_order(conn, target, tables)
    lock(conn, target.schema, order, LIVE_LOCK)
    lock(conn, target.candidate_schema, catalog.tables(conn, target.candidate_schema), "share")
    keep(conn, target.schema, target.prev_schema, order, fresh=tables is None)
    replace_rows(conn, target.schema, target.candidate_schema, order)
    install_write_counters(conn, target, order)
    _pause_for_tests(conn)
    live_counts = counts(conn, target, target.schema, order)
    candidates = catalog.tables(conn, target.candidate_schema)
    if candidates and tables is None:
        conn.execute(sql.SQL("truncate {}").format(sql.SQL(", ").join(_name(target.candidate_schema, t) for t in candidates)))
    return {"previous_counts": counts(conn, target, target.prev_schema, order), "live_counts": live_counts}


def restore_previous(conn, target, tables=None) -> dict:
    """Inside the caller's transaction: live rows -> `<app>_rolled_back`, `<app>_prev` rows -> live
    (of `tables` only, when given), those tables dropped from `<app>_prev` (the schema once empty),
    their write counters off. Returns {"live_counts", "counters_removed"}."""
    order = copy_order(conn, target, tables)
    lock(conn, target.schema, order, LIVE_LOCK)
    keep(conn, target.schema, rolled_back_schema(target), order)
    replace_rows(conn, target.schema, target.prev_schema, order)
    _pause_for_tests(conn)
    live_counts = counts(conn, target, target.schema, order)
    for table in order:
        conn.execute(sql.SQL("drop table if exists {}").format(_name(target.prev_schema, table)))
    if not catalog.tables(conn, target.prev_schema):
        conn.execute(sql.SQL("drop schema {} cascade").format(sql.Identifier(target.prev_schema)))
    return {"live_counts": live_counts, "counters_removed": drop_write_counters(conn, target, order)}

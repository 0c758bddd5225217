"""A few tables at a time: `cutover apply --app APP --tables T,…` (SPEC §4 last bullet, §6).

Decisions:
- Only the named tables' rows are replaced; every other table of the application keeps its rows,
  triggers and candidates untouched (the application still reads them from its old store).
- "Live already" = the application itself writes the table in PostgreSQL (the registry's
  `writes_live`: Hello Miami `profiles` and `events`), or a cutover of the application that is
  still applied (not rolled back) moved it. A named table whose foreign key points at a table that
  is neither live already nor named is refused (exit 3), before any row moves.
- Candidate rows that reference a live parent which is not named must find their parent row in the
  live table as it is now: checked set-based before any row moves (preconditions.check_candidate_references),
  refused with the table, the foreign key and how many rows otherwise.
- A named table that a table NOT named references, with rows, is refused too: deleting its rows
  would cascade into (Hello Miami's ON DELETE CASCADE) or be stopped by (Podium's NO ACTION) the
  rows of a table that must stay exactly as it is. Name both, or cut over the parent first.
- `<app>_prev` is kept per table: each cutover replaces only its own tables there (a whole-application
  cutover starts it afresh), so a later cutover of other tables keeps the earlier one's previous
  rows. `migration.cutovers.tables` records the tables each cutover moved (NULL: all, Alembic 0013).
- Rollback undoes exactly the tables the latest cutover moved (restored from `<app>_prev`, then
  dropped there); one level, as before: an earlier cutover stays in effect, its tables' previous
  rows stay in `<app>_prev`, and a later whole-application cutover supersedes it.
- The candidates of a cutover of a few tables are kept, so the next `--tables` apply uses the same
  dry-run. The moved tables' candidates stay too (their cloned foreign keys, ON DELETE CASCADE in
  Hello Miami, would empty the candidates of the tables referencing them): instead a table the
  same dry-run already moved is a no-op while that cutover is applied, and refused after its
  rollback (run the dry-run again), as a whole-application apply after a rollback is.
"""

from __future__ import annotations

from pipelines import registry
from pipelines.errors import CutoverError, GateFailed

from assets.cutover import foreign_keys


def named(app: str | None, tables) -> list[str] | None:
    """The `--tables` of one application, checked (None: the whole application)."""
    if not tables:
        return None
    if not app:
        raise CutoverError(f"--tables needs --app: name the application whose tables to cut over ({' or '.join(registry.APPLICATIONS)}).")
    valid = registry.APPLICATIONS[app].tables
    unknown = [t for t in tables if t not in valid]
    if unknown:
        raise CutoverError(f"{app} has no table {', '.join(unknown)}: --tables takes {', '.join(valid)}.")
    return [t for t in valid if t in tables]


def moved_by(row_tables, app: str) -> set[str]:
    """The tables a migration.cutovers row moved (NULL: all of the application's)."""
    return set(registry.APPLICATIONS[app].tables if row_tables is None else row_tables)


def applied_cutovers(conn, app: str) -> list[dict]:
    rows = conn.execute(
        "select cutover_id, run_id, tables from migration.cutovers where app = %s and status = 'applied' order by cutover_id", (app,)
    ).fetchall()
    return [{"cutover_id": c, "run_id": r, "tables": moved_by(t, app)} for c, r, t in rows]


def live_already(conn, app: str) -> set[str]:
    moved = set().union(*(c["tables"] for c in applied_cutovers(conn, app)))
    return set(registry.APPLICATIONS[app].writes_live) | moved


def check_references(conn, target, tables: list[str]) -> None:
    """Refuse named tables whose parents are neither live already nor named, or whose rows a table
    not named references (see the module's decisions)."""
    live = live_already(conn, target.app)
    keys = foreign_keys.of_schema(conn, target.schema)
    unmet = [k for k in keys if k.child in tables and k.parent not in tables and k.parent not in live]
    if unmet:
        raise GateFailed("; ".join(
            f"{target.schema}.{k.child} has foreign key {k.name} to {target.schema}.{k.parent}, which is neither live already nor named"
            for k in unmet
        ) + f"; nothing was changed: add {', '.join(sorted({k.parent for k in unmet}))} to --tables, or cut it over first.")
    held = [(k, n) for k in keys if k.parent in tables and k.child not in tables
            for n in [foreign_keys.referencing(conn, k, target.schema)] if n]
    if held:
        raise GateFailed("; ".join(
            f"{target.schema}.{k.child} (not named) holds {n} row(s) referencing {target.schema}.{k.parent} through {k.name}"
            for k, n in held
        ) + f"; nothing was changed: replacing those parents would change a table not named, so add {', '.join(sorted({k.child for k, _ in held}))} to --tables.")


def already_moved(conn, run_id: str, app: str, tables: list[str] | None) -> tuple[dict | None, str | None]:
    """(the latest applied cutover of this very dry-run when it already moved every named table: a
    no-op; a refusal when a cutover of it moved some of them, rolled back since or with other tables)."""
    wanted = set(tables or registry.APPLICATIONS[app].tables)
    rows = conn.execute(
        """select cutover_id, status, tables, applied_at from migration.cutovers
            where app = %s and run_id = %s order by cutover_id""", (app, run_id)
    ).fetchall()
    applied = [r for r in rows if r[1] == "applied"]
    if applied and wanted <= set().union(*(moved_by(r[2], app) for r in applied)):
        return {"cutover_id": applied[-1][0], "applied_at": applied[-1][3]}, None
    again = sorted(wanted & set().union(*(moved_by(r[2], app) for r in rows)))
    if again:
        return None, (f"dry-run {run_id}'s candidates of {', '.join(again)} were already cut over by an earlier apply (rolled back "
                      "since, or with other tables named): run `cutover dry-run` again, then apply.")
    return None, None

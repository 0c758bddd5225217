"""The live target is a source too (issue 14, SPEC §4 "Rows already live"), landed raw-first.

Each dry-run lands every live table of an application (the registry's tables present in
`target.schema`) unchanged into `raw_live_<app>.<table>`: a table made `like` the live one (the same
columns, no constraints) holding a copy of its rows. Same columns rather than `to_jsonb` of the row
because the live DDL is already exact (the candidates clone it) and a like-for-like copy compares
with the live table by whole rows. For each table `migration.live_landed` records the rows found
(`live_before`, the ledger's live hop) and a checksum of their contents.

`cutover apply` compares the live tables with what the dry-run landed and refuses (exit 3) when
the application wrote to them since, naming the tables and how many rows differ, instead of
re-deciding those rows inside the apply transaction. Measured on the demo (see README "Rows
already live"): the comparison is a count and an md5 over the rows' text, milliseconds per table,
under the lock apply already takes; re-deciding would re-run the Hello Miami models and gates under
that lock, seconds during which the application cannot write. A refused apply loses nothing: run
the dry-run again (it lands the new rows) and apply.

The landing is its own step in the application's land group (assets/land/live.py), before the
models: staging models read `raw_live_<app>` like any source, and the candidates are built from
exactly the landed rows. A write after the landing is what `check_live_unchanged` refuses at apply.

The live hop (`hop`): live before = kept + merged. No live row is merged into another: when one
source profile matches two live rows (one by email, the other by Clerk id), the email match takes
the source record and the other live row stays its own row (the source's Clerk id is not given to
the first, value_fixes records it). Merging two rows the application wrote would delete one of them
and re-point what the application hangs on it, a decision for the application's owners rather than
a rule; so `merged` is 0 by the rule and every live row must be kept (gate `live_row_kept`).

Not in `migration.count_ledger`: that ledger's rows are a source's records and their classification
(migrated / merged / quarantined, with lineage), and its readers take each `source` for a registry
source (the run's applications in assets/gates/run_apps.sql, the land gate's expected counts in
expectations/land.py). Live rows are no source records of that kind: their hop is per table in
`migration.live_landed` (live_before) and counted here against the candidates.
"""

from __future__ import annotations

from pathlib import Path

from psycopg import sql

from pipelines import registry

HERE = Path(__file__).resolve().parent


def raw_schema(app: str) -> str:
    return f"raw_live_{app}"


def _name(schema: str, table: str) -> sql.Composable:
    return sql.SQL("{}.{}").format(sql.Identifier(schema), sql.Identifier(table))


def live_tables(conn, target) -> list[str]:
    """The application's tables (registry order) present in its live schema."""
    present = {r[0] for r in conn.execute(
        "select table_name from information_schema.tables where table_schema = %s and table_type = 'BASE TABLE'",
        (target.schema,))}
    return [t for t in registry.APPLICATIONS[target.app].tables if t in present]


def fingerprint(conn, schema: str, table: str) -> tuple[int, str]:
    """(rows, checksum of their contents, independent of their order)."""
    query = sql.SQL((HERE / "fingerprint.sql").read_text()).format(table=_name(schema, table))
    rows, checksum = conn.execute(query).fetchone()
    return rows, checksum


def land(conn, target, run_id: str) -> dict[str, int]:
    """Land the live rows into raw_live_<app> and record them for `run_id`: table -> live_before."""
    raw = raw_schema(target.app)
    conn.execute(sql.SQL("drop schema if exists {} cascade").format(sql.Identifier(raw)))
    conn.execute(sql.SQL("create schema {}").format(sql.Identifier(raw)))
    conn.execute("delete from migration.live_landed where run_id = %s and application = %s", (run_id, target.app))
    found: dict[str, int] = {}
    for table in live_tables(conn, target):
        conn.execute(sql.SQL("create table {} (like {})").format(_name(raw, table), _name(target.schema, table)))
        conn.execute(sql.SQL("insert into {} select * from {}").format(_name(raw, table), _name(target.schema, table)))
        rows, checksum = fingerprint(conn, raw, table)
        conn.execute(
            "insert into migration.live_landed (run_id, application, target_table, live_before, checksum) values (%s, %s, %s, %s, %s)",
            (run_id, target.app, table, rows, checksum),
        )
        found[table] = rows
    return found


def writes_since(conn, target, run_id: str) -> dict[str, tuple[int, int]]:
    """Live tables whose rows differ from what dry-run `run_id` landed: table -> (rows now that the
    dry-run did not land, i.e. new or edited; rows it landed that are gone or were edited). Tables
    the dry-run did not land are not judged (it found no such table)."""
    landed = conn.execute(
        "select target_table, live_before, checksum from migration.live_landed where run_id = %s and application = %s",
        (run_id, target.app),
    ).fetchall()
    raw = raw_schema(target.app)
    changed: dict[str, tuple[int, int]] = {}
    for table, _rows, checksum in landed:
        if fingerprint(conn, target.schema, table)[1] == checksum:
            continue
        query = sql.SQL((HERE / "row_differences.sql").read_text()).format(live=_name(target.schema, table), landed=_name(raw, table))
        changed[table] = tuple(conn.execute(query).fetchone())
    return changed


def row_keys(app: str, table: str) -> tuple[str, ...]:
    """What identifies a live row among the candidates: its `id`, or the registry's natural key
    of a table without one (Hello Miami's member_badges: member_id, badge_id)."""
    natural = registry.APPLICATIONS[app].natural_key(table)
    return natural[0] if natural else ("id",)


def hop(conn, target, run_id: str) -> list[dict]:
    """The live hop of dry-run `run_id` (SPEC §6): per table that held rows, {live_before, kept,
    merged}. Kept: landed rows the candidates hold (by `id`, or the registry's natural key): a
    source record matched to a live row took its id, so a matched row counts as kept. Merged is 0
    by the rule (module docstring: no live row is merged into another), so live_before = kept is
    what the gate `live_row_kept` demands."""
    landed = conn.execute(
        "select target_table, live_before from migration.live_landed where run_id = %s and application = %s and live_before > 0 order by target_table",
        (run_id, target.app),
    ).fetchall()
    out = []
    for table, before in landed:
        same = sql.SQL(" and ").join(sql.SQL("t.{k} = l.{k}").format(k=sql.Identifier(k)) for k in row_keys(target.app, table))
        query = sql.SQL((HERE / "kept.sql").read_text()).format(
            landed=_name(raw_schema(target.app), table), candidate=_name(target.candidate_schema, table), same=same)
        kept = conn.execute(query).fetchone()[0]
        out.append({"application": target.app, "table": table, "live_before": before, "kept": kept, "merged": 0})
    return out

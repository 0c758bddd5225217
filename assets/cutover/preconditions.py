"""What must hold before `cutover apply` may copy one application's candidates in (SPEC §5), each
a refusal. Everything is judged per application, in that application's database.

Decisions:
- The dry-run that is cut over is the LATEST dry-run that covered the application (job `dry_run`,
  or `<app>_dry_run`, in migration.runs), never an older passing one: the candidate schema holds
  whatever the latest dry-run built, so a failed or unfinished later dry-run means the candidates
  are not the ones any passing run judged.
- "Passed" for an application = none of ITS blocking (severity 'error') gate_results rows of that
  run failed (migration.gate_results.application), AND either the run passed as a whole or the
  application's reconcile gates (the last phase) were recorded: a dry-run that failed only for
  the other application does not hold this one back, one that stopped before judging this one does.
- "The sources changed since that dry-run" is decided offline, from what the dry-run recorded:
  (1) a snapshot dry-run's manifest.json must still exist with the same captured_at and the same
  counts as the count ledger's source_count; (2) the raw tables landed from Airtable and MongoDB
  must still hold the counts the ledger says were landed (a later `cutover land` of newer data
  changes them). raw_luma is not compared: the scheduled sync merges into it by design. A live
  dry-run's sources are asked again, last, by assets/cutover/source_check.py.
- The candidates must have exactly the live DDL (migrations.ddl.catalog), for the registry's tables.
- "The candidates are the ones that dry-run built": every candidate table's row count equals the
  count ledger's candidate_count for its target table. The Luma sync writes events and attendance
  into hello_miami_next while no cutover is in effect, so those two may have grown (never shrunk)
  when a sync into the candidates succeeded after the dry-run.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

from pipelines import registry
from pipelines.errors import GateFailed

from assets.cutover import catalog
from assets.cutover.findings import refused

# tables the scheduled Luma sync writes into the candidates before the first cutover
SYNCED_TABLES = {"hello_miami": {"events", "attendance"}}


def latest_dry_run(conn, app: str) -> dict | None:
    row = conn.execute(
        """
        select run_id, status, passed, snapshot_dir, captured_at, started_at, finished_at, report_dir
          from migration.runs where job in ('dry_run', 'dry-run', %s)
         order by started_at desc nulls last, run_id desc limit 1
        """,
        (f"{app}_dry_run",),
    ).fetchone()
    if row is None:
        return None
    keys = ("run_id", "status", "passed", "snapshot_dir", "captured_at", "started_at", "finished_at", "report_dir")
    return dict(zip(keys, row))


def latest_cutover(conn, app: str) -> dict | None:
    row = conn.execute(
        """select cutover_id, run_id, status, applied_at, rolled_back_at, detail, tables from migration.cutovers
            where app = %s order by cutover_id desc limit 1""",
        (app,),
    ).fetchone()
    return None if row is None else dict(zip(("cutover_id", "run_id", "status", "applied_at", "rolled_back_at", "detail", "tables"), row))


def cutover_in_effect(conn, app: str) -> dict | None:
    """The application's latest cutover, when it is applied (not rolled back)."""
    row = latest_cutover(conn, app)
    return row if row is not None and row["status"] == "applied" else None


def check_passed(conn, run: dict, app: str) -> None:
    run_id = run["run_id"]
    if run["finished_at"] is None or run["status"] == "running":
        raise GateFailed(f"the latest dry-run {run_id} has not finished: wait for it, or run `cutover dry-run` again.")
    failed = conn.execute(
        """
        select phase, application, name, failed_count from migration.gate_results
         where run_id = %s and application = %s and severity = 'error' and not passed order by phase, name
        """,
        (run_id, app),
    ).fetchall()
    if failed:
        names = ", ".join(f"{phase}/{name} ({count} failed)" for phase, _, name, count in failed[:5])
        raise GateFailed(f"the latest dry-run {run_id} failed blocking gates of {app}: {names}; fix them and run `cutover dry-run` again.")
    if run["passed"] is not True and not _reconciled(conn, run_id, app):
        raise GateFailed(f"the latest dry-run {run_id} did not pass (migration.runs.passed is {run['passed']}) and never judged {app}'s candidates; run `cutover dry-run` again.")
    return f"every blocking gate of {app} in dry-run {run_id} passed"


def _reconciled(conn, run_id: str, app: str) -> bool:
    return conn.execute(
        "select exists (select 1 from migration.gate_results where run_id = %s and application = %s and phase = 'reconcile')",
        (run_id, app),
    ).fetchone()[0]


def _ledger(conn, run_id: str, app: str) -> list[tuple]:
    return conn.execute(
        """
        select source, source_table, source_count, landed, target_table, candidate_count
          from migration.count_ledger where run_id = %s and source = any(%s) order by source, source_table
        """,
        (run_id, list(registry.sources_of(app))),
    ).fetchall()


def check_sources_unchanged(conn, run: dict, app: str) -> None:
    run_id = run["run_id"]
    ledger = _ledger(conn, run_id, app)
    if run["snapshot_dir"]:
        manifest_path = Path(run["snapshot_dir"]) / "manifest.json"
        if not manifest_path.is_file():
            raise GateFailed(f"the snapshot of dry-run {run_id} is gone ({manifest_path} is missing): run `cutover dry-run` on the current snapshot.")
        manifest = json.loads(manifest_path.read_text())
        captured = manifest.get("captured_at")
        if run["captured_at"] is not None and captured:
            when = datetime.fromisoformat(str(captured).replace("Z", "+00:00"))
            if when.tzinfo is None:
                when = when.replace(tzinfo=run["captured_at"].tzinfo)
            if when != run["captured_at"]:
                raise GateFailed(f"{manifest_path} was captured at {captured}, not when dry-run {run_id}'s snapshot was ({run['captured_at'].isoformat()}): run `cutover dry-run` again.")
        counts = manifest.get("counts") or {}
        for source, table, source_count, *_ in ledger:
            key = f"{source}.{table}"
            if key in counts and source_count is not None and int(counts[key]) != source_count:
                raise GateFailed(f"the source changed since dry-run {run_id}: {manifest_path} counts {counts[key]} records of {key}, the dry-run counted {source_count}; run `cutover dry-run` again.")
    for source, table, _, landed, *_ in ledger:
        if source == "luma" or "." in table or landed is None:
            continue  # raw_luma moves with the scheduled sync; list links are not raw tables
        schema = f"raw_{source}"
        if table not in catalog.tables(conn, schema):
            continue
        now = catalog.row_counts_of(conn, schema, table)
        if now != landed:
            raise GateFailed(f"the source data changed since dry-run {run_id}: {schema}.{table} holds {now} rows, the dry-run landed {landed}; run `cutover dry-run` again.")
    return ("the snapshot's manifest and " if run["snapshot_dir"] else "") + "the raw tables hold what the dry-run landed"


def _candidate_table(target_table: str) -> str:
    """The table of a count-ledger target_table, written as `table`, `app.table` or `app_next.table`."""
    return target_table.split(".", 1)[-1]


def candidates_grew_by_sync(conn, run: dict, target) -> bool:
    row = conn.execute(
        """
        select count(*) from migration.luma_syncs
         where status = 'success' and target_schema = %s and started_at >= %s
        """,
        (target.candidate_schema, run["finished_at"] or run["started_at"]),
    ).fetchone()
    return row[0] > 0


def check_same_ddl(conn, target) -> None:
    """The candidates must have exactly the live DDL (SPEC §6): the cutover replaces rows, never the
    application's schema. Compared with migrations.ddl.catalog (columns, keys, indexes), for the
    registry's tables only: the live schema may hold others the cutover never copies (Podium's
    `alembic_version`, anything beside the application's tables in `public`)."""
    from migrations.ddl.catalog import describe, differences

    names = set(registry.APPLICATIONS[target.app].tables)
    live, candidate = ({t: d for t, d in describe(conn, s).items() if t in names} for s in (target.schema, target.candidate_schema))
    found = differences(live, candidate, target.candidate_schema)
    if found:
        more = f" (and {len(found) - 3} more)" if len(found) > 3 else ""
        raise GateFailed(f"{target.candidate_schema} does not have the live DDL of {target.schema}: {'; '.join(found[:3])}{more}; run `cutover dry-run` again (it clones the live tables).")
    return f"{target.candidate_schema} has the live DDL of {target.schema}"


def check_candidates_built_by(conn, run: dict, target, tables=None) -> dict[str, int]:
    """The candidate tables' counts (`app.table` -> rows; of `tables` only, when given), after
    checking they are what the dry-run recorded."""
    run_id, app, schema = run["run_id"], target.app, target.candidate_schema
    expected: dict[str, int] = {}
    for _, _, _, _, target_table, candidate_count in _ledger(conn, run_id, app):
        if target_table and candidate_count is not None:
            table = _candidate_table(target_table)
            expected[table] = max(expected.get(table, 0), candidate_count)
    have_counts = catalog.row_counts(conn, schema)
    if sum(have_counts.values()) == 0:
        raise GateFailed(f"the candidate schema {schema} is empty, so it is not what dry-run {run_id} built (already cut over or rolled back?): run `cutover dry-run` again.")
    grown_ok = candidates_grew_by_sync(conn, run, target)
    for table, want in sorted(expected.items()):
        if tables is not None and table not in tables:
            continue
        have = have_counts.get(table)
        if have is None or have == want:
            continue
        if grown_ok and table in SYNCED_TABLES.get(app, ()) and have > want:
            continue
        raise GateFailed(f"{schema}.{table} holds {have} rows but dry-run {run_id} built {want}: the candidates were changed after that dry-run; run `cutover dry-run` again.")
    return {f"{app}.{table}": n for table, n in have_counts.items() if tables is None or table in tables}


def _described(changed: dict[str, tuple[int, int]], schema: str) -> str:
    return "; ".join(f"{schema}.{table}: {new} row(s) new or edited, {gone} row(s) gone or edited"
                     for table, (new, gone) in sorted(changed.items()))


def check_live_unchanged(conn, run: dict, target, tables=None) -> None:
    """The application wrote to its live tables (of `tables` only, when given: the others keep their
    rows) since the dry-run landed them (SPEC §4): refuse, naming the tables and how many rows
    differ, rather than overwrite or drop those writes. Call it with the live tables locked, so no
    write slips in between this check and the copy."""
    from pipelines import live

    changed = {t: n for t, n in live.writes_since(conn, target, run["run_id"]).items() if tables is None or t in tables}
    written = {f"{target.schema}.{t}": {"new_or_edited": new, "gone_or_edited": gone} for t, (new, gone) in sorted(changed.items())}
    if changed:
        raise refused(
            f"the application wrote to its live tables since dry-run {run['run_id']} landed them ({_described(changed, target.schema)}); "
            "nothing was changed: run `cutover dry-run` again so the candidates include those rows, then apply.",
            written=written,
        )
    return {"written": written}


def check_no_live_row_lost(conn, target, tables: list[str]) -> None:
    """Every live row must have its key among the candidates (SPEC §4 "Rows already live"): its `id`,
    or the registry's natural key for a table without one (Hello Miami `member_badges`), the key the
    dry-run's gate `live_row_kept` judges by. A live row the candidates lack would be deleted by the
    copy, so refuse, naming the tables, the counts and a few keys."""
    from psycopg import sql

    from pipelines.live import row_keys

    query = (Path(__file__).resolve().parent / "live_rows_lost.sql").read_text()
    lost, counted = [], {}
    for table in tables:
        if table not in catalog.tables(conn, target.candidate_schema):
            continue
        keys = row_keys(target.app, table)
        count, examples = conn.execute(sql.SQL(query).format(
            live=sql.SQL("{}.{}").format(sql.Identifier(target.schema), sql.Identifier(table)),
            candidate=sql.SQL("{}.{}").format(sql.Identifier(target.candidate_schema), sql.Identifier(table)),
            same=sql.SQL(" and ").join(sql.SQL("c.{k} = l.{k}").format(k=sql.Identifier(k)) for k in keys),
            label=sql.SQL("concat_ws('/', {})").format(sql.SQL(", ").join(sql.SQL("l.{}::text").format(sql.Identifier(k)) for k in keys)),
        )).fetchone()
        if count:
            lost.append(f"{target.schema}.{table}: {count} row(s) (e.g. {'/'.join(keys)} {', '.join(examples)})")
            counted[f"{target.schema}.{table}"] = count
    if lost:
        raise refused(
            f"the candidates lack live rows the application already holds, so the cutover would delete them ({'; '.join(lost)}); "
            "nothing was changed: those rows are not yet matched into the candidates (SPEC §4 \"Rows already live\"), so cut over after they are.",
            lost=counted,
        )
    return {"lost": counted}


def check_candidate_references(conn, target, order: list[str]) -> None:
    """Every candidate row of the tables to copy finds its parent row: among the candidates when the
    parent is copied too, else in the live table as it is now (a cutover of a few tables, whose live
    parents the application keeps writing). Set-based, before any row moves; refused otherwise,
    naming the table, the foreign key and how many rows."""
    from assets.cutover import foreign_keys

    def parent_schema(key):
        return target.candidate_schema if key.parent in order else target.schema

    broken = []
    for key in foreign_keys.of_schema(conn, target.schema):
        if key.child in order:
            count = foreign_keys.dangling(conn, key, target.candidate_schema, parent_schema(key))
            if count:
                broken.append((key, count))
    dangling = [{"table": f"{target.candidate_schema}.{key.child}", "foreign_key": key.name, "rows": count} for key, count in broken]
    if broken:
        # a parent left out of --tables lacks the candidate rows it would bring; else the live rows moved since the dry-run
        left_out = sorted({key.parent for key, _ in broken if key.parent not in order})
        fix = (f"name {', '.join(left_out)} in --tables too, so its candidate rows move with them, or run `cutover dry-run` again "
               "if the application removed those rows since" if left_out else
               "run `cutover dry-run` again so the candidates match the live rows, then apply")
        raise refused(
            f"candidate rows reference rows that are not there ({foreign_keys.described(broken, target.candidate_schema, parent_schema)}); "
            f"nothing was changed: {fix}.",
            dangling=dangling,
        )
    return {"dangling": dangling}

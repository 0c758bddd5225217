"""The targets as data, in the shape `migrations.ddl.catalog.describe()` returns: the applications'
tables parsed from `migrations/targets/*.md` (the SPEC's own text, tests/test_target_files.py holds
the copies to it), and our `migration` schema written down by hand.

Podium's md includes its Alembic version table; the candidates hold only the tables the migration
fills (the registry's), so CANDIDATE drops it.
"""

from __future__ import annotations

import re

from migrations.ddl.spec import spec
from pipelines import registry

EXPECTED = {app: spec(app).describe() for app in ("podium", "hello_miami")}
CANDIDATE = {app: {t: d for t, d in EXPECTED[app].items() if t in registry.APPLICATIONS[app].tables} for app in EXPECTED}

# schema `migration`: column names in order (COMMON.md), plus 0003's additions for cutover and sync
MIGRATION_COLUMNS = {
    "runs": ["run_id", "job", "started_at", "finished_at", "status", "snapshot_dir", "captured_at", "passed", "report_dir", "operator",
             "pid", "host", "notes", "apps"],
    "count_ledger": ["run_id", "source", "source_table", "source_count", "landed", "migrated", "merged", "quarantined",
                     "target_table", "candidate_count"],
    "id_lineage": ["source", "source_table", "source_id", "target_table", "target_id", "run_id"],
    "merges": ["run_id", "source", "source_table", "source_id", "into_source_id", "into_target_id", "rule"],
    "quarantine": ["run_id", "source", "source_table", "source_id", "reason", "detail", "record"],
    "value_fixes": ["run_id", "source", "source_table", "source_id", "field", "original_value", "stored_value", "reason"],
    "conflicts": ["run_id", "kind", "source_table", "key", "field", "left_value", "right_value", "application"],
    "gate_results": ["run_id", "phase", "application", "name", "severity", "passed", "failed_count", "message", "examples", "checked_at"],
    "cutovers": ["cutover_id", "run_id", "applied_at", "operator", "counts", "status", "rolled_back_at", "detail", "app", "tables"],
    "luma_syncs": ["sync_id", "started_at", "finished_at", "window_start", "window_end", "requests", "events_upserted",
                   "attendance_upserted", "status", "error", "target_schema", "run_id"],
    "live_writes": ["cutover_id", "schema_name", "table_name", "writer", "inserted", "updated", "deleted", "truncated", "last_write_at"],
    "source_markers": ["run_id", "application", "source", "source_table", "record_count", "since", "newest_updated_at", "newest_id",
                       "recorded_at", "listing"],
    "live_landed": ["run_id", "application", "target_table", "live_before", "checksum", "landed_at"],
    "source_webhooks": ["run_id", "application", "base_id", "webhook_id", "cursor", "expires_at", "failure", "created_at", "deleted_at"],
}
MIGRATION_PRIMARY_KEYS = {
    "runs": ("run_id",), "count_ledger": ("run_id", "source", "source_table"),
    "id_lineage": ("source", "source_table", "source_id", "target_table"),
    "cutovers": ("cutover_id",), "luma_syncs": ("sync_id",),
    "live_writes": ("cutover_id", "schema_name", "table_name", "writer"),
    "source_markers": ("run_id", "source", "source_table"),
    "live_landed": ("run_id", "application", "target_table"),
    "source_webhooks": ("run_id", "base_id"),
}


_NEUTRAL = {"boolean": "false", "integer": "0", "text": "''"}


def filled(statement: str) -> str:
    """A hand-written `insert into <schema>.<table> (cols) values (...)[, (...)] [returning ...]` of a
    test, with a neutral value ('' / false / 0) added for every NOT NULL column without default it
    leaves out: Podium's own tables declare no defaults, and a test row is about its other columns."""
    match = re.match(r"\s*insert into (\w+)\.(\w+) \(([^)]*)\) values ", statement)
    schema, table, cols = match.groups()
    app = next(a for a in EXPECTED if schema in (a, f"{a}_next", f"{a}_prev")) if schema != "public" else "podium"
    given = {c.strip() for c in cols.split(",")}
    extra = [(name, _NEUTRAL["text" if kind.startswith("character varying") else kind])
             for name, kind, not_null, default in EXPECTED[app][table]["columns"]
             if not_null and default is None and name not in given]
    if not extra:
        return statement
    names, values = ", " + ", ".join(n for n, _ in extra), ", " + ", ".join(v for _, v in extra)
    head, rest = statement[:match.end()], statement[match.end():]
    head = head.replace(f"({cols})", f"({cols}{names})", 1)
    out, depth, quoted = [], 0, False
    for char in rest:
        if char == "'":
            quoted = not quoted
        elif not quoted and char == "(":
            depth += 1
        elif not quoted and char == ")":
            depth -= 1
            if depth == 0:
                out.append(values)
        out.append(char)
    return head + "".join(out)

"""Everything the report says, read from the `migration` tables of one dry-run (and the one before).

Decision: the verdict is "ready" only when the Dagster run succeeded, every blocking gate that ran
passed, and every phase produced gate results (a run that stopped early judged nothing after it).
"""

from __future__ import annotations

import json

from assets.gates.masking import mask_text
from pipelines import registry

PHASES = ("land", "transform", "reconcile")
COUNT_FIELDS = ("source_count", "landed", "migrated", "merged", "quarantined", "candidate_count")


def _rows(conn, sql: str, params=()) -> list[dict]:
    cur = conn.execute(sql, params)
    names = [c.name for c in cur.description]
    return [dict(zip(names, row)) for row in cur.fetchall()]


def ledger(conn, run_id: str) -> list[dict]:
    return _rows(conn, """
        select source, source_table, source_count, landed, migrated, merged, quarantined, target_table, candidate_count
          from migration.count_ledger where run_id = %s order by source, source_table""", (run_id,))


def quarantine(conn, run_id: str) -> tuple[dict, list[dict]]:
    """({(source, table): {reason: count}}, [{source, table, reason, count, examples}])"""
    rows = _rows(conn, """
        select source, source_table, reason, count(*) as count,
               (array_agg(source_id order by source_id))[1:3] as examples
          from migration.quarantine where run_id = %s
         group by source, source_table, reason order by source, source_table, count(*) desc""", (run_id,))
    by_table: dict = {}
    for r in rows:
        by_table.setdefault((r["source"], r["source_table"]), {})[r["reason"]] = r["count"]
        r["examples"] = [mask_text(e) for e in r["examples"] or []]
    return by_table, rows


def merges(conn, run_id: str) -> list[dict]:
    return _rows(conn, """
        select source, source_table, rule, count(*) as count from migration.merges where run_id = %s
         group by source, source_table, rule order by source, source_table, count(*) desc""", (run_id,))


def value_fixes(conn, run_id: str) -> list[dict]:
    """Stored values that differ from the source (SPEC §4), per table, field and reason, with one
    masked example of the original and the stored value."""
    rows = _rows(conn, """
        select source, source_table, field, reason, count(*) as count,
               (array_agg(source_id order by source_id))[1] as example_id,
               (array_agg(original_value order by source_id))[1] as example_original,
               (array_agg(stored_value order by source_id))[1] as example_stored
          from migration.value_fixes where run_id = %s
         group by source, source_table, field, reason order by source, source_table, count(*) desc, field""", (run_id,))
    for r in rows:
        for k in ("example_id", "example_original", "example_stored"):
            r[k] = None if r[k] is None else mask_text(r[k])[:80]
    return rows


def conflicts(conn, run_id: str) -> tuple[list[dict], list[dict]]:
    summary = _rows(conn, """
        select kind, source_table, field, count(*) as count from migration.conflicts where run_id = %s
         group by kind, source_table, field order by kind, count(*) desc""", (run_id,))
    examples = _rows(conn, """
        select kind, key, field, left_value, right_value from migration.conflicts where run_id = %s
         order by kind, key, field limit 12""", (run_id,))
    for e in examples:
        for k in ("key", "left_value", "right_value"):
            e[k] = mask_text(e[k])[:80]
    return summary, examples


def gates(conn, run_id: str) -> list[dict]:
    rows = _rows(conn, """
        select phase, application, name, severity, passed, failed_count, message, examples
          from migration.gate_results where run_id = %s
         order by array_position(array['land', 'transform', 'reconcile']::text[], phase), application, name""", (run_id,))
    for r in rows:
        examples = r["examples"] if isinstance(r["examples"], list) else json.loads(r["examples"] or "[]")
        r["failed"] = [mask_text(e if isinstance(e, str) else json.dumps(e)) for e in examples]
        r["message"] = mask_text(r["message"])
    return rows


def previous_run(conn, run_id: str) -> str | None:
    row = conn.execute("""
        select r.run_id from migration.runs r
         where r.job in ('dry_run', 'dry-run') and r.run_id <> %s
           and r.started_at < coalesce((select started_at from migration.runs where run_id = %s), now())
           and exists (select 1 from migration.count_ledger l where l.run_id = r.run_id)
         order by r.started_at desc limit 1""", (run_id, run_id)).fetchone()
    return row[0] if row else None


def changes(current: list[dict], previous: list[dict]) -> list[dict]:
    before = {(r["source"], r["source_table"]): r for r in previous}
    out = []
    for r in current:
        old = before.get((r["source"], r["source_table"]))
        diff = {f: (r[f] or 0) - ((old or {}).get(f) or 0) for f in COUNT_FIELDS}
        if old is None or any(diff.values()):
            out.append({"source": r["source"], "source_table": r["source_table"], "new": old is None, **diff})
    return out


def collect(conn, run_id: str, run_succeeded: bool, error: str | None) -> dict:
    ledger_rows = ledger(conn, run_id)
    reasons, quarantine_rows = quarantine(conn, run_id)
    gate_rows = gates(conn, run_id)
    conflict_summary, conflict_examples = conflicts(conn, run_id)
    previous = previous_run(conn, run_id)
    failed_blocking = [g for g in gate_rows if g["severity"] == "error" and not g["passed"]]
    warnings = [g for g in gate_rows if g["severity"] == "warning" and not g["passed"]]
    judged = {g["phase"] for g in gate_rows}
    missing_phases = [p for p in PHASES if p not in judged]
    passed = run_succeeded and not failed_blocking and not missing_phases
    reasons_why = []
    if failed_blocking:
        reasons_why += [g["message"] for g in failed_blocking]
    if error and not failed_blocking:
        reasons_why.append(f"the run stopped with an error: {mask_text(error)}")
    if missing_phases and not failed_blocking:
        reasons_why.append("these phases were never judged: " + ", ".join(missing_phases))
    tables = []
    for r in ledger_rows:
        key = (r["source"], r["source_table"])
        tables.append({
            **r,
            "application": registry.application_of(r["source"]),
            "table": r["source_table"],
            "quarantine_reasons": reasons.get(key, {}),
            # None: the run stopped before this table was classified
            "balanced": None if all(r[f] is None for f in ("migrated", "merged", "quarantined")) else (
                r["source_count"] is not None
                and r["source_count"] == (r["migrated"] or 0) + (r["merged"] or 0) + (r["quarantined"] or 0)),
        })
    return {
        "run_id": run_id,
        "passed": passed,
        "reasons": reasons_why,
        "tables": tables,
        "gates": gate_rows,
        "warnings": warnings,
        "quarantine": quarantine_rows,
        "merges": merges(conn, run_id),
        "value_fixes": value_fixes(conn, run_id),
        "conflicts": conflict_summary,
        "conflict_examples": conflict_examples,
        "previous_run_id": previous,
        "changes": changes(ledger_rows, ledger(conn, previous)) if previous else [],
        "run": (_rows(conn, "select run_id, job, started_at, snapshot_dir, captured_at, operator, notes from migration.runs where run_id = %s", (run_id,)) or [{}])[0],
    }


def ledger_markdown(tables: list[dict]) -> str:
    lines = ["| source table | source | landed | migrated | merged | quarantined | candidate |", "|---|---|---|---|---|---|---|"]
    for t in tables:
        lines.append(f"| {t['source']}.{t['table']} | {t['source_count']} | {t['landed']} | {t['migrated']} | {t['merged']} "
                     f"| {t['quarantined']} | {t['target_table'] or ''} {t['candidate_count'] if t['candidate_count'] is not None else ''} |")
    return "\n".join(lines)

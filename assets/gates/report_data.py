"""Everything the report says, read from the `migration` tables of one dry-run (and the one before).

Per application (issue 18, SPEC §6): a run covers one application or both (`covered_apps`); each
covered application's part is read from its own database (`pipelines.targets`), filtered to it
(`gate_results.application`, the ledger's and the quarantine's sources through the registry), and
a database that both applications share is read once.

Decisions:
- An application is ready when every one of its blocking gates passed and each phase judged it (a
  run that stopped early judged nothing after it). A run that failed with an error that no
  application's gates explain leaves every covered application not ready, with the error as the
  reason. The run's `passed` is true when every covered application is ready.
- "The previous run" of an application is the latest earlier dry-run that covered it, so a Podium
  run is compared with the last run that landed Podium, never with a Hello Miami one.
"""

from __future__ import annotations

import json
from pathlib import Path

from assets.gates import report_labels
from assets.gates.masking import mask_text
from pipelines import live, registry, targets

HERE = Path(__file__).resolve().parent
PHASES = ("land", "transform", "reconcile")
COUNT_FIELDS = ("source_count", "landed", "migrated", "merged", "quarantined", "candidate_count")


def _rows(conn, sql: str, params=()) -> list[dict]:
    cur = conn.execute(sql, params)
    names = [c.name for c in cur.description]
    return [dict(zip(names, row)) for row in cur.fetchall()]


def sources_of(apps: list[str]) -> list[str]:
    return [s for app in apps for s in registry.sources_of(app)]


def ledger(conn, run_id: str, apps: list[str]) -> list[dict]:
    return _rows(conn, """
        select source, source_table, source_count, landed, migrated, merged, quarantined, target_table, candidate_count
          from migration.count_ledger where run_id = %s and source = any(%s) order by source, source_table""",
                 (run_id, sources_of(apps)))


def quarantine(conn, run_id: str, apps: list[str]) -> tuple[dict, list[dict]]:
    """({(source, table): {reason: count}}, [{source, table, reason, count, examples}])"""
    rows = _rows(conn, """
        select source, source_table, reason, count(*) as count,
               (array_agg(source_id order by source_id))[1:3] as examples
          from migration.quarantine where run_id = %s and source = any(%s)
         group by source, source_table, reason order by source, source_table, count(*) desc""", (run_id, sources_of(apps)))
    by_table: dict = {}
    for r in rows:
        by_table.setdefault((r["source"], r["source_table"]), {})[r["reason"]] = r["count"]
        r["examples"] = [mask_text(e) for e in r["examples"] or []]
    return by_table, rows


def merges(conn, run_id: str, apps: list[str]) -> list[dict]:
    return _rows(conn, """
        select source, source_table, rule, count(*) as count from migration.merges where run_id = %s and source = any(%s)
         group by source, source_table, rule order by source, source_table, count(*) desc""", (run_id, sources_of(apps)))


def value_fixes(conn, run_id: str, apps: list[str]) -> list[dict]:
    """Stored values that differ from the source (SPEC §4), per table, field and reason, with one
    masked example of the original and the stored value."""
    rows = _rows(conn, """
        select source, source_table, field, reason, count(*) as count,
               (array_agg(source_id order by source_id))[1] as example_id,
               (array_agg(original_value order by source_id))[1] as example_original,
               (array_agg(stored_value order by source_id))[1] as example_stored
          from migration.value_fixes where run_id = %s and source = any(%s)
         group by source, source_table, field, reason order by source, source_table, count(*) desc, field""", (run_id, sources_of(apps)))
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


def gates(conn, run_id: str, apps: list[str]) -> list[dict]:
    rows = _rows(conn, """
        select phase, application, name, severity, passed, failed_count, message, examples
          from migration.gate_results where run_id = %s and application = any(%s)
         order by array_position(array['land', 'transform', 'reconcile']::text[], phase), application, name""", (run_id, apps))
    for r in rows:
        examples = r["examples"] if isinstance(r["examples"], list) else json.loads(r["examples"] or "[]")
        r["failed"] = [mask_text(e if isinstance(e, str) else json.dumps(e)) for e in examples]
        r["message"] = mask_text(r["message"])
    return rows


DRY_RUN_JOBS = ("dry_run", "dry-run")  # and each application's `<app>_dry_run`


def jobs_of(app: str) -> list[str]:
    """The jobs whose runs may cover `app`: the combined dry-run and the application's own."""
    return [*DRY_RUN_JOBS, f"{app}_dry_run"]


def covered_apps(conn, run_id: str) -> list[str] | None:
    """The applications run `run_id` covered as this database recorded it (None: it recorded nothing
    of the run): `migration.runs.apps` (revision 0009) where set; else the job's (`<app>_dry_run`:
    that application, `dry_run`: every one); else (a materialization picked in the UI) those whose
    sources are in its count ledger."""
    row = conn.execute(_sql("run_apps"), {"run_id": run_id}).fetchone()
    if row is None:
        return None
    listed, job, landed = row
    if listed is not None:
        return [app for app in registry.APPLICATIONS if app in listed]
    own = [app for app in registry.APPLICATIONS if job == f"{app}_dry_run"]
    if own or job in DRY_RUN_JOBS:
        return own or list(registry.APPLICATIONS)
    return [app for app in registry.APPLICATIONS if set(registry.sources_of(app)) & set(landed)] or list(registry.APPLICATIONS)


def previous_run(conn, run_id: str, app: str) -> str | None:
    """The latest dry-run before `run_id` that covered `app` and recorded its ledger."""
    row = conn.execute(_sql("previous_run"), {"run_id": run_id, "app": app, "jobs": jobs_of(app),
                                              "sources": list(registry.sources_of(app))}).fetchone()
    return row[0] if row else None


def _sql(name: str) -> str:
    return (HERE / f"{name}.sql").read_text()


def changes(current: list[dict], previous: list[dict]) -> list[dict]:
    before = {(r["source"], r["source_table"]): r for r in previous}
    out = []
    for r in current:
        old = before.get((r["source"], r["source_table"]))
        diff = {f: (r[f] or 0) - ((old or {}).get(f) or 0) for f in COUNT_FIELDS}
        if old is None or any(diff.values()):
            out.append({"source": r["source"], "source_table": r["source_table"], "new": old is None, **diff})
    return out


def collect_part(conn, run_id: str, apps: list[str]) -> dict:
    """What one database holds of the run for `apps` (the covered applications living there)."""
    ledger_rows = ledger(conn, run_id, apps)
    reasons, quarantine_rows = quarantine(conn, run_id, apps)
    conflict_summary, conflict_examples = conflicts(conn, run_id)
    history = {}
    for app in apps:
        previous = previous_run(conn, run_id, app)
        mine = [r for r in ledger_rows if registry.application_of(r["source"]) == app]
        history[app] = {"previous_run_id": previous,
                        "changes": changes(mine, ledger(conn, previous, [app])) if previous else []}
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
    part = {
        "tables": tables,
        "gates": gates(conn, run_id, apps),
        "quarantine": quarantine_rows,
        "merges": merges(conn, run_id, apps),
        "value_fixes": value_fixes(conn, run_id, apps),
        "live_hop": [row for app in apps for row in live.hop(conn, targets.target(app), run_id)],
        "conflicts": conflict_summary,
        "conflict_examples": conflict_examples,
        "history": history,
        "run": (_rows(conn, "select run_id, job, started_at, snapshot_dir, captured_at, operator, notes from migration.runs where run_id = %s", (run_id,)) or [{}])[0],
    }
    report_labels.label_examples(conn, apps, part)
    return part


def verdict(app: str, gate_rows: list[dict], error: str | None, unexplained: bool) -> dict:
    """Whether `app` is ready, and why not (its failing blocking gates, the phases that never
    judged it, or the run's error when no application's gates explain the failure)."""
    mine = [g for g in gate_rows if g["application"] == app]
    failed = [g for g in mine if g["severity"] == "error" and not g["passed"]]
    missing = [p for p in PHASES if p not in {g["phase"] for g in mine}]
    reasons = [g["message"] for g in failed]
    if not failed:
        if unexplained and error:  # else the error is a gate's failure, named where it failed
            reasons.append(f"the run stopped with an error: {mask_text(error)}")
        if missing:
            reasons.append("these phases were never judged: " + ", ".join(missing))
        if unexplained and not reasons:
            reasons.append("the run failed without a gate saying why; see Dagster's run log")
    return {"passed": not reasons, "reasons": reasons,
            "warnings": sum(1 for g in mine if g["severity"] == "warning" and not g["passed"])}


def collect(run_id: str, run_succeeded: bool, error: str | None, apps: list[str] | None = None) -> dict:
    """The report's data: every covered application's part, each read from its own database.
    `apps`: the applications the run was started for (their databases only; None: every one)."""
    from contextlib import ExitStack

    from pipelines.database import connect

    with ExitStack() as stack:
        databases = [(stack.enter_context(connect(url, autocommit=True)), living_there)
                     for url, living_there in targets.by_database(apps).items()]
        recorded = [found for conn, _ in databases if (found := covered_apps(conn, run_id)) is not None]
        # a run no database recorded (it stopped before its first step) is judged for every application
        covered = [app for app in (apps or registry.APPLICATIONS) if not recorded or any(app in listed for listed in recorded)]
        parts = [collect_part(conn, run_id, mine) for conn, living_there in databases
                 if (mine := [app for app in living_there if app in covered])]
    merged = {key: [row for part in parts for row in part[key]]
              for key in ("tables", "gates", "quarantine", "merges", "value_fixes", "live_hop", "conflicts", "conflict_examples")}
    merged["tables"].sort(key=lambda t: (t["source"], t["table"]))
    merged["gates"].sort(key=lambda g: (PHASES.index(g["phase"]) if g["phase"] in PHASES else len(PHASES), g["application"], g["name"]))
    history = {app: h for part in parts for app, h in part["history"].items()}
    blocking_failed = any(g["severity"] == "error" and not g["passed"] for g in merged["gates"])
    # judged without the run's success: an application whose gates all passed is ready even when
    # the other one's failed the run, but an error nobody's gates explain holds back every one
    apps = {}
    for app in covered:
        apps[app] = verdict(app, merged["gates"], error, unexplained=not run_succeeded and not blocking_failed)
        apps[app].update(history[app])
    previous = {h["previous_run_id"] for h in history.values()}
    return {
        "run_id": run_id,
        "passed": bool(apps) and all(v["passed"] for v in apps.values()),
        "reasons": [r for v in apps.values() for r in v["reasons"]],
        "apps": apps,
        **merged,
        "warnings": [g for g in merged["gates"] if g["severity"] == "warning" and not g["passed"]],
        # the run every covered application was compared with, when it is the same one
        "previous_run_id": previous.pop() if len(previous) == 1 else None,
        "changes": [c for h in history.values() for c in h["changes"]],
        "run": next((part["run"] for part in parts if part["run"]), {}),
    }


def ledger_markdown(tables: list[dict]) -> str:
    lines = ["| source table | source | landed | migrated | merged | quarantined | candidate |", "|---|---|---|---|---|---|---|"]
    for t in tables:
        lines.append(f"| {t['source']}.{t['table']} | {t['source_count']} | {t['landed']} | {t['migrated']} | {t['merged']} "
                     f"| {t['quarantined']} | {t['target_table'] or ''} {t['candidate_count'] if t['candidate_count'] is not None else ''} |")
    return "\n".join(lines)

"""The report of an apply or a rollback (issue 20, SPEC §6): `report.html` for people and
`reconciliation.json` for programs, written into the run's report directory (`--report-dir`, default
`reports/<run id>/`, as the dry-run's) whether the applications were applied, refused or failed.

Each application's part is the `record` its apply_latest / rollback_latest filled (the dry-run, the
tables, each check's findings through assets/cutover/findings.py, the counts before and after) plus
what the command made of it (`recording`: the status and the sentence). Decisions:
- A refused or failed application's counts after are its counts before: its transaction was rolled
  back, so nothing moved. The counts before are read when the apply starts (the copy's own count of
  the replaced rows where it copied); the lock the copy takes comes later, so a refused apply's
  counts may miss a write made in between.
- Every sentence and figure is masked with pipelines/masking.py (the checks' sentences name ids and
  tables, never personal data, but a configuration sentence might quote a value).
- The dry-run's report is linked by its path relative to this report's directory (both are local
  folders; an absolute path would break when the reports folder is copied elsewhere).
"""

from __future__ import annotations

import json
import os
from datetime import datetime, timezone
from pathlib import Path

from pipelines import registry
from pipelines.errors import CutoverError, GateFailed
from pipelines.masking import mask_text

from assets.cutover import source_check

HERE = Path(__file__).resolve().parent
# each application's outcome in plain words (the op's statuses: assets/cutover/per_app.py)
VERDICTS = {"applied": "applied", "rolled_back": "rolled back", "noop": "nothing to do", "refused": "refused", "failed": "failed"}
# where a live source check's table was asked, by its source prefix
SOURCE_KINDS = {"airtable": "live Airtable", "mongo": "live MongoDB", "luma": "live Luma"}


def recording(records: dict, step):
    """`step(target, record)` wrapped to keep each application's record, with its status and the
    sentence of its outcome (refused or failed included), in `records` by application."""
    def wrapped(target):
        record = records.setdefault(target.app, {"checks": []})
        try:
            outcome = step(target, record)
        except GateFailed as exc:
            record.update(status="refused", sentence=mask_text(str(exc)))
            raise
        except CutoverError as exc:
            record.update(status="failed", sentence=mask_text(str(exc)))
            raise
        record.update(status=outcome["status"], sentence=mask_text(outcome["message"]))
        return outcome
    return wrapped


def _linked(report_dir: str | None, directory: Path) -> str | None:
    return None if not report_dir else os.path.relpath(Path(report_dir) / "report.html", directory)


def reconciliation(kind: str, run_id: str, records: dict, directory: Path) -> dict:
    apps = {}
    for app, r in records.items():
        apps[app] = {
            "status": r.get("status", "failed"),
            "sentence": r.get("sentence", "the run stopped before this application's outcome was known; see Dagster's run log"),
            "cutover_id": r.get("cutover_id"),
            "dry_run_id": r.get("dry_run_id"),
            "dry_run_report": _linked(r.get("dry_run_report_dir"), directory),
            "tables": r.get("tables", []),
            "checks": r.get("checks", []),
            "counts_before": r.get("counts_before", {}),
            "counts_after": r.get("counts_after", {}),
            **({"candidate_counts": r.get("candidate_counts", {})} if kind == "apply" else {"forced": r.get("forced", False)}),
        }
    statuses = {a["status"] for a in apps.values()}
    status = next((s for s in ("failed", "refused", "applied", "rolled_back") if s in statuses), "noop")
    return {"kind": kind, "run_id": run_id, "status": status, "apps": apps}


def _source_rows(found: dict) -> list[list]:
    """Per table: how it was asked (Airtable: the webhook's payloads, one request for the whole
    base, or the listing), what was found, the requests it took alone."""
    changes = found.get("changes", {})
    airtable = found["check"] if found["check"] != "live source markers" else SOURCE_KINDS["airtable"]
    return [[table, airtable if table.startswith("airtable.") else SOURCE_KINDS.get(table.split(".", 1)[0], table.split(".", 1)[0]),
             *(changes.get(table, {}).get(k, 0) for k in ("created", "changed", "deleted")), found.get("requests", {}).get(table, "")]
            for table in found.get("tables", [])]


def shown(check: dict) -> dict:
    """One check for the page: {name, passed, summary, head, rows} (head/rows: an optional table).
    Its figures are what it returned (passed) or the refusal's detail (findings.refused)."""
    found = check["found"]
    figures = {**(found if isinstance(found, dict) else {}), **{k: v for k, v in check.items() if k not in ("check", "passed", "found")}}
    summary, head, rows = found if isinstance(found, str) else "", [], []
    if check["check"] == "source check":
        result = figures.get("source_check", figures)
        summary = source_check.said(result) if check["passed"] else summary
        if result.get("check") in source_check.LIVE_CHECKS:
            head, rows = ["source table", "asked", "created", "changed", "deleted", "requests"], _source_rows(result)
    elif isinstance(figures.get("written"), dict):
        summary = summary or "no write since the dry-run"
        head = ["live table", "rows new or edited", "rows gone or edited"]
        rows = [[t, n["new_or_edited"], n["gone_or_edited"]] for t, n in figures["written"].items()]
    elif "written" in figures:  # a rollback's writes counted since the cutover (rollback.lost_writes)
        summary = summary or (f"{len(figures['written'])} table(s) written since the cutover: those writes were lost (--force)"
                              if figures["written"] else "no write since the cutover")
        head = ["live table", "inserted", "updated", "deleted", "truncated", "by the Luma sync"]
        rows = [[w[k] for k in ("table", "inserted", "updated", "deleted", "truncated", "by_luma_sync")] for w in figures["written"]]
    elif "lost" in figures:
        summary = summary or "every live row is among the candidates"
        head, rows = ["live table", "rows the copy would delete"], [[t, n] for t, n in figures["lost"].items()]
    elif "dangling" in figures:
        summary = summary or "every candidate row finds the row its foreign keys name"
        head, rows = ["candidate table", "foreign key", "rows"], [[d["table"], d["foreign_key"], d["rows"]] for d in figures["dangling"]]
    elif figures:  # the candidates' counts
        summary = f"{sum(figures.values())} rows in {len(figures)} tables, as the dry-run built them"
    return {"name": check["check"], "passed": check["passed"], "summary": mask_text(summary), "head": head if rows else [], "rows": rows}


def render_html(data: dict) -> str:
    from assets.gates.report import environment

    apps = []
    for app, part in data["apps"].items():
        tables = sorted(set(part["counts_before"]) | set(part["counts_after"]))
        apps.append({"app": app, "name": registry.title(app), **part, "verdict": VERDICTS.get(part["status"], part["status"]),
                     "shown": [shown(c) for c in part["checks"]], "count_tables": tables})
    return environment(HERE / "templates").get_template("cutover.html.j2").render(
        data=data, apps=apps, generated_at=datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"))


def write(kind: str, run_id: str, directory: Path, records: dict) -> Path:
    """reconciliation.json and report.html of apply / rollback run `run_id` into `directory`; returns the page's path."""
    directory.mkdir(parents=True, exist_ok=True)
    data = reconciliation(kind, run_id, records, directory)
    (directory / "reconciliation.json").write_text(json.dumps(data, indent=2, default=str))
    (directory / "report.html").write_text(render_html(data))
    return directory / "report.html"

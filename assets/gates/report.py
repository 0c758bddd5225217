"""Writes a dry-run's report directory: reconciliation.json (for programs), report.html (for
people, one self-contained page), Data Docs (GX's own site, linked from the page); and marks the
run in migration.runs (passed, report_dir, finished_at)."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

from assets.gates import report_data
from pipelines import registry


def reconciliation(data: dict) -> dict:
    return {
        "run_id": data["run_id"],
        "passed": data["passed"],
        "reasons": data["reasons"],
        "previous_run_id": data["previous_run_id"],
        "notes": [note["text"] for note in data["run"].get("notes") or []],
        "tables": [
            {k: t[k] for k in ("source", "table", "source_count", "landed", "migrated", "merged", "quarantined",
                               "quarantine_reasons", "target_table", "candidate_count", "balanced")}
            for t in data["tables"]
        ],
        "gates": [
            {k: g[k] for k in ("phase", "application", "name", "severity", "passed", "failed_count", "message", "failed")}
            for g in data["gates"]
        ],
        "value_fixes": [{k: f[k] for k in ("source", "source_table", "field", "reason", "count")} for f in data.get("value_fixes", [])],
        # tables that held rows before the cutover (SPEC §6): live before = kept + merged
        "live": data.get("live_hop", []),
        # the covered applications' verdicts (SPEC §6); `passed` above is true when every one is ready
        "apps": {app: {k: v[k] for k in ("passed", "reasons", "previous_run_id", "changes")} for app, v in data["apps"].items()},
    }


def environment(*more: Path):
    """Jinja over `more` template folders and this one (its shared pieces, e.g. `_style.html.j2`)."""
    import jinja2

    return jinja2.Environment(
        loader=jinja2.FileSystemLoader([*more, Path(__file__).parent / "templates"]),
        autoescape=jinja2.select_autoescape(["html", "j2"]),
    )


def render_html(data: dict, data_docs: str | None) -> str:
    env = environment()
    from assets.gates import report_words
    from expectations.reconcile import ceilings

    labels = {"podium": "Podium (Airtable)", "hello_miami": "Hello Miami (MongoDB + Luma)"}
    apps = [(app, labels.get(app, app), registry.title(app)) for app in data["apps"]]  # the covered ones
    data.setdefault("docs_pages", [])
    default_ceiling, overrides = ceilings()
    for t in data["tables"]:
        t["bar"] = report_words.outcome_bar(t["migrated"], t["merged"], t["quarantined"])
        t["share"] = report_words.quarantine_share(t["quarantined"], t["source_count"],
                                                   overrides.get(f"{t['source']}.{t['table']}", default_ceiling))
    for q in data["quarantine"]:
        q["explained"] = report_words.explain_reason(q["reason"])
        q["table_key"] = f"{q['source']}.{q['source_table']}"
    blocking = [g for g in data["gates"] if g["severity"] == "error"]
    checks = {"blocking": len(blocking), "blocking_failed": sum(not g["passed"] for g in blocking),
              "warnings": sum(g["severity"] == "warning" and not g["passed"] for g in data["gates"])}
    return env.get_template("report.html.j2").render(
        data=data, apps=apps, data_docs=data_docs, checks=checks, colours=report_words.COLOURS,
        generated_at=datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
    )


def write(run_id: str, directory: Path, run_succeeded: bool, error: str | None, apps: list[str] | None = None) -> dict:
    """Write the report of dry-run `run_id` into `directory` (each covered application's part read
    from its own database); returns the collected data."""
    from assets.gates.validation import load_documents
    from expectations.runner import build_data_docs

    directory.mkdir(parents=True, exist_ok=True)
    data = report_data.collect(run_id, run_succeeded, error, apps)
    docs_link = None
    try:
        index = build_data_docs(load_documents(directory), directory / "data_docs")
        docs_link = str(index.relative_to(directory)) if index else None
        # GX's index page draws its list with scripts from a CDN; link every validation page too,
        # so the docs are reachable offline
        data["docs_pages"] = [
            {"name": ".".join(p.relative_to(directory / "data_docs" / "validations").parts[:-3]), "href": str(p.relative_to(directory))}
            for p in sorted((directory / "data_docs" / "validations").rglob("*.html"))
        ]
    except Exception as exc:  # the report must exist even when Data Docs cannot be built
        data["reasons"] = data["reasons"] + ([] if data["passed"] else [])
        data["data_docs_error"] = f"{type(exc).__name__}: {exc}"
    (directory / "reconciliation.json").write_text(json.dumps(reconciliation(data), indent=2, default=str))
    (directory / "report.html").write_text(render_html(data, docs_link))
    _mark_run(run_id, data["apps"], str(directory))
    return data


def _mark_run(run_id: str, apps: dict, directory: str) -> None:
    """The run's outcome in each database of a covered application: passed when every covered
    application living there is ready (so two databases each hold their own application's)."""
    from pipelines import targets
    from pipelines.database import connect
    from pipelines.ledger import record_run_end, record_run_start

    for url, living_there in targets.by_database(list(apps)).items():
        passed = all(apps[app]["passed"] for app in living_there)
        with connect(url, autocommit=True) as conn:
            exists = conn.execute("select 1 from migration.runs where run_id = %s", (run_id,)).fetchone()
            if not exists:
                record_run_start(conn, run_id, "dry_run", None, None)
            record_run_end(conn, run_id, "success" if passed else "failed", passed=passed, report_dir=directory)

"""The gates as Dagster asset checks: one multi-asset check per phase and application, so one GX
checkpoint (and one step) judges all of a phase's tables of that application.

Decisions:
- Blocking checks (`blocking=True`, severity ERROR) for the error rules: a failure fails the check
  step, and Dagster does not start the assets downstream of it (the next phase).
- Warnings (field absent from every record without a schema, MongoDB/Luma conflicts, reverse-link
  asymmetry) are separate non-blocking checks with severity WARN: they report, never stop a run.
- Each check runs in its application's database (resource `<app>_db`).
- Attachment: land -> the raw assets; transform -> the candidate table assets; reconcile -> the
  application's reconcile assets (count identity and ceiling on migration.count_ledger, anti-joins and row
  comparison on migration.id_lineage, conflicts on migration.conflicts).
"""

from __future__ import annotations

import dagster as dg

from assets.gates.masking import mask_text
from assets.resources import db_key
from pipelines import registry

RAW = {app: [(f"raw_{t.source}", t.name) for t in registry.tables(application=app)] for app in registry.APPLICATIONS}
CANDIDATES = {app: [(f"{app}_next", t) for t in a.tables] for app, a in registry.APPLICATIONS.items()}
# the application's reconcile assets (assets/transform/models.py keys them [migration, <app>, <model>])
RECONCILE = {app: [("migration", app, name) for name in ("count_ledger", "id_lineage", "conflicts")]
             for app in registry.APPLICATIONS}
RESOURCES = {"sources", "run_settings", "great_expectations"}


def gate_asset(path: tuple[str, ...], app: str) -> tuple[str, ...]:
    """The table a gate names (`Gate.asset`, e.g. migration.count_ledger) of a check's asset key."""
    return (path[0], path[2]) if path[:2] == ("migration", app) else path


def check_names(phase: str, app: str) -> tuple[str, str]:
    """(blocking check name, warning check name) of a phase and application."""
    if phase == "reconcile":
        return f"reconcile_gate_{app}", f"reconcile_warnings_{app}"
    return f"{phase}_gate", f"{phase}_warnings"


def _specs(phase: str, app: str) -> list[dg.AssetCheckSpec]:
    gate, warnings = check_names(phase, app)
    assets = {"land": RAW[app], "transform": CANDIDATES[app], "reconcile": RECONCILE[app]}[phase]
    specs = [dg.AssetCheckSpec(gate, asset=dg.AssetKey(list(a)), blocking=True,
                               description=f"{phase} gate ({app}): blocking rules of SPEC §5") for a in assets]
    warn_assets = {"land": RAW[app], "transform": [], "reconcile": [("migration", app, "conflicts")]}[phase]
    specs += [dg.AssetCheckSpec(warnings, asset=dg.AssetKey(list(a)),
                                description=f"{phase} warnings ({app}): reported, never blocking") for a in warn_assets]
    return specs


def _markdown(outcomes: list) -> str:
    lines = ["| rule | table | result | failing | examples |", "|---|---|---|---|---|"]
    for o in outcomes:
        examples = ", ".join(mask_text(e) for e in o.examples[:3]).replace("|", "/")
        lines.append(f"| {o.gate.rule} | {o.gate.table} | {'pass' if o.passed else 'FAIL'} | {o.failed_count} | {examples} |")
    return "\n".join(lines)


def _result(key: dg.AssetCheckKey, outcomes: list, warning: bool) -> dg.AssetCheckResult:
    failed = [o for o in outcomes if not o.passed]
    examples = {o.gate.name: [mask_text(e) for e in o.examples[:5]] for o in failed}
    return dg.AssetCheckResult(
        asset_key=key.asset_key,
        check_name=key.name,
        passed=not failed,
        severity=dg.AssetCheckSeverity.WARN if warning else dg.AssetCheckSeverity.ERROR,
        description="; ".join(mask_text(o.message) for o in failed[:5]) or f"{len(outcomes)} rules passed",
        metadata={
            "rules": dg.MetadataValue.int(len(outcomes)),
            "failed_rules": dg.MetadataValue.int(len(failed)),
            "failing_records": dg.MetadataValue.int(sum(o.failed_count for o in failed)),
            "results": dg.MetadataValue.md(_markdown(outcomes) if outcomes else "no rules for this table in this run"),
            "examples": dg.MetadataValue.json(examples),
        },
    )


def build_check(phase: str, app: str) -> dg.AssetChecksDefinition:
    gate_name, warning_name = check_names(phase, app)

    @dg.multi_asset_check(
        specs=_specs(phase, app),
        name=f"{phase}_gate__{app}",
        can_subset=True,
        required_resource_keys=RESOURCES | {db_key(app)},
        description=f"Great Expectations suites of the {phase} gate for {app}.",
    )
    def _check(context):
        from assets.gates.validation import report_dir, save_documents
        from expectations.phase import phase_gates, record

        res = context.resources
        database = getattr(res, db_key(app))  # the gate looks at its application's database
        with database.connect(autocommit=True) as conn:
            gates, parameters = phase_gates(phase, conn, context.run.run_id, res.sources.snapshot(), app)
            outcomes, documents = res.great_expectations.validate(database.url(), gates, parameters)
            record(conn, context.run.run_id, outcomes)
        save_documents(report_dir(context.run.run_id, res.run_settings.report_dir), f"{phase}.{app}", documents)
        for key in sorted(context.selected_asset_check_keys, key=lambda k: (k.asset_key.to_user_string(), k.name)):
            warning = key.name == warning_name
            mine = [o for o in outcomes
                    if tuple(o.gate.asset) == gate_asset(tuple(key.asset_key.path), app)
                    and (o.gate.severity == "warning") == warning]
            yield _result(key, mine, warning)

    return _check


def build_checks() -> list[dg.AssetChecksDefinition]:
    return [build_check(phase, app) for phase in ("land", "transform", "reconcile") for app in registry.APPLICATIONS]

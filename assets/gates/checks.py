"""The gates as Dagster asset checks: one check per rule (and instance) on the asset it judges, all
of a phase's checks of one application evaluated by one multi-asset check step, so one GX
checkpoint judges them (the speed of one step, the catalog's detail of one check per rule).

Decisions:
- The checks are declared before any run by `rule_checks()` of expectations/<phase>.py (registry +
  rule files): name = the rule file's name, `__<instance>` where one rule judges several things on
  one asset (an enum column, a candidate table, a conflict kind); description = the rule file's
  header. Several instances read from the live catalog at run time (each foreign key of a table)
  are one check: its result lists the failing ones.
- Error rules are blocking checks (`blocking=True`, severity ERROR): a failure fails the check
  step, and Dagster does not start the assets downstream of it (the next phase).
- Warning rules (field absent from every record without a schema, MongoDB/Luma conflicts,
  reverse-link asymmetry) are non-blocking checks with severity WARN: they report, never stop a run.
- A rule with nothing to judge in a run still gets a result, passed, saying so (a blocking check
  that emits nothing would leave its downstream waiting on it).
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

RESOURCES = {"sources", "run_settings", "great_expectations"}


def rule_checks(phase: str, app: str) -> list:
    """The phase's `RuleCheck`s of `app` (expectations/<phase>.py declares them from the registry and
    the rule files), so Dagster knows every check before any run."""
    from expectations import land, reconcile, transform

    return {"land": land, "transform": transform, "reconcile": reconcile}[phase].rule_checks(app)


def check_key(path: tuple[str, ...], name: str, app: str) -> dg.AssetCheckKey:
    """The Dagster key of check `name` on a gate's asset: a reconcile table's asset is keyed per application."""
    if path[0] == "migration":
        path = ("migration", app, *path[1:])
    return dg.AssetCheckKey(dg.AssetKey(list(path)), name)


def _specs(phase: str, app: str) -> list[dg.AssetCheckSpec]:
    # a warning rule never blocks: its failure shows as a WARN result, the next phase still runs
    reads = reads_beyond_its_assets(phase, app)
    return [dg.AssetCheckSpec(c.name, asset=check_key(c.asset, c.name, app).asset_key, description=c.description,
                              blocking=c.severity == "error", metadata={"severity": c.severity},
                              additional_deps=[k for k in reads if k != check_key(c.asset, c.name, app).asset_key])
            for c in rule_checks(phase, app)]


def _result(key: dg.AssetCheckKey, rule_check, outcomes: list) -> dg.AssetCheckResult:
    """One rule's result on one asset. A rule with no instance in this run (no foreign key on the
    table, no Airtable schema, a table not landed) passes saying it had nothing to judge."""
    failed = [o for o in outcomes if not o.passed]
    if not outcomes:
        description = "nothing to judge in this run: no instance of this rule applies to this table"
    else:
        description = "; ".join(mask_text(o.message) for o in failed[:5]) or "; ".join(o.gate.rule for o in outcomes) + ": passed"
    return dg.AssetCheckResult(
        asset_key=key.asset_key,
        check_name=key.name,
        passed=not failed,
        severity=dg.AssetCheckSeverity.WARN if rule_check.severity == "warning" else dg.AssetCheckSeverity.ERROR,
        description=description,
        metadata={
            "instances": dg.MetadataValue.int(len(outcomes)),
            "failing_records": dg.MetadataValue.int(sum(o.failed_count for o in failed)),
            "examples": dg.MetadataValue.json({o.gate.rule: [mask_text(e) for e in o.examples[:5]] for o in failed}),
        },
    )


def reads_beyond_its_assets(phase: str, app: str) -> list[dg.AssetKey]:
    """The assets a gate reads besides those its checks are attached to: the reconcile gate's row
    comparison reads migration.value_fixes and its ceiling migration.quarantine, so it waits for
    every reconcile table of its application (sql_models/reconcile/). One step after another, the
    plan's order happened to build them first; steps side by side (assets/executor.py) ran the gate
    beside them and compared against half-written fixes."""
    if phase != "reconcile":
        return []
    from pathlib import Path

    import sql_models

    folder = Path(sql_models.__file__).parent / "reconcile"
    return [dg.AssetKey(["migration", app, path.stem]) for path in sorted(folder.glob("*.sql"))]


def build_check(phase: str, app: str) -> dg.AssetChecksDefinition:
    declared = {check_key(c.asset, c.name, app): c for c in rule_checks(phase, app)}

    @dg.multi_asset_check(
        specs=_specs(phase, app),
        name=f"{phase}_gate__{app}",
        can_subset=True,
        required_resource_keys=RESOURCES | {db_key(app)},
        description=f"Great Expectations suites of the {phase} gate for {app}: one check per rule.",
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
        by_check: dict[dg.AssetCheckKey, list] = {}
        for o in outcomes:
            key = check_key(o.gate.asset, o.gate.check, app)
            if key not in declared:  # a rule without its check would be judged but never shown
                raise ValueError(f"rule {o.gate.rule_file or o.gate.check} on {o.gate.table} has no declared check "
                                 f"{key.name}: add it to rule_checks() in expectations/{phase}.py")
            by_check.setdefault(key, []).append(o)
        for key in sorted(context.selected_asset_check_keys, key=lambda k: (k.asset_key.to_user_string(), k.name)):
            yield _result(key, declared[key], by_check.get(key, []))

    return _check


def build_checks() -> list[dg.AssetChecksDefinition]:
    return [build_check(phase, app) for phase in ("land", "transform", "reconcile") for app in registry.APPLICATIONS]

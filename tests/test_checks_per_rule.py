"""One Dagster asset check per rule, declared before any run: blocking exactly for error rules, each
with its rule file's description, and every gate a phase builds has its declared check."""

from __future__ import annotations

import dagster as dg

from assets.gates.checks import build_checks, check_key, rule_checks
from expectations import gates as gate_rules
from pipelines import registry


def _specs() -> dict[dg.AssetCheckKey, dg.AssetCheckSpec]:
    return {spec.key: spec for check in build_checks() for spec in check.check_specs}


def test_one_check_per_rule_blocking_only_for_error_rules():
    specs = _specs()
    raw_users = dg.AssetKey(["raw_airtable", "users"])
    assert {k.name for k in specs if k.asset_key == raw_users} == {
        "landed_count", "key_not_null", "key_unique", "fields_in_schema", "fields_in_records"}
    for key, spec in specs.items():
        file = key.name.split("__")[0]
        if file == gate_rules.LANDED_COUNT:
            continue
        phase = next(p for p in gate_rules.PHASES if (gate_rules.RULES_DIR / p / f"{file}.sql").exists())
        rule = gate_rules.rule(phase, file)
        assert spec.blocking is (rule.severity == "error"), key
        assert spec.description.startswith(rule.description), key
    # warnings never block: the MongoDB/Luma conflicts and the record-based field contract
    assert specs[dg.AssetCheckKey(dg.AssetKey(["migration", "hello_miami", "conflicts"]), "conflicts__mongo_luma")].blocking is False
    assert specs[dg.AssetCheckKey(dg.AssetKey(["raw_mongo", "profiles"]), "fields_in_records")].blocking is False
    # an instance known before the run is its own check
    assert dg.AssetCheckKey(dg.AssetKey(["hello_miami_next", "attendance"]), "enum_values__status") in specs
    assert dg.AssetCheckKey(dg.AssetKey(["migration", "podium", "id_lineage"]), "row_hash__users") in specs


def test_every_gate_a_run_builds_has_its_declared_check(db_url):
    """The reconcile and land gates of a database with every raw, candidate and landed live table:
    each maps to a declared check (an undeclared one would be judged and never shown)."""
    from expectations import land, reconcile
    from expectations.phase import existing_tables
    from pipelines.database import connect
    from pipelines.live import raw_schema
    from tests.model_fixtures import create_raw_tables

    create_raw_tables(db_url)
    with connect(db_url, autocommit=True) as conn:
        tables = existing_tables(conn) | {f"{schema}.{t}" for app, a in registry.APPLICATIONS.items() for t in a.tables
                                          for schema in (f"{app}_next", raw_schema(app))}
    built = land.land_gates(tables) + land.land_gates(tables, {"tables": []}) + reconcile.reconcile_gates("r", tables)
    for app in registry.APPLICATIONS:
        declared = {check_key(c.asset, c.name, app) for p in ("land", "reconcile") for c in rule_checks(p, app)}
        for gate in (g for g in built if g.application == app):
            assert check_key(gate.asset, gate.check, app) in declared, (gate.table, gate.check)

"""With steps side by side (assets/executor.py) a step starts as soon as its declared upstream is
done, so every table a step reads must be declared: the reconcile gate read migration.value_fixes
without waiting for it and judged half-written fixes (CI, the second of two dry-runs)."""

from pathlib import Path

import pytest

from pipelines import registry

RECONCILE_MODELS = sorted(p.stem for p in (Path(__file__).resolve().parents[1] / "sql_models" / "reconcile").glob("*.sql"))


def _upstream() -> dict[str, set[str]]:
    from dagster._core.execution.api import create_execution_plan

    from assets.definitions import defs

    plan = create_execution_plan(defs.resolve_job_def("dry_run"))
    return {s.key: {d for i in s.step_inputs for d in i.dependency_keys} for s in plan.get_steps_to_execute_in_topo_order()}


@pytest.mark.parametrize("app", list(registry.APPLICATIONS))
def test_the_reconcile_gate_waits_for_every_reconcile_table_of_its_application(app):
    assert {f"migration__{app}__{name}" for name in RECONCILE_MODELS} <= _upstream()[f"reconcile_gate__{app}"]


def test_a_live_tables_staging_does_not_wait_for_the_landing_nor_touch_the_raw_contract():
    """It runs beside the landing, so it must not create raw tables dlt is creating (sql_models/raw_contract.sql)."""
    from assets.transform.models import SOURCE_SCHEMAS, load_models

    live = [m for m in load_models() if m.layer == "staging" and m.name.startswith("stg_live_")]
    assert live and all(not any(schema in SOURCE_SCHEMAS for schema, _ in m.refs) for m in live)
    assert all("land_sources" not in _upstream()[f"staging__{m.name}"] for m in live)

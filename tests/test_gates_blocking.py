"""The gates as Dagster asset checks in a real run: a failed blocking check stops what is downstream
of its asset, records migration.gate_results, and carries actionable metadata; a clean run flows."""

from __future__ import annotations

import json
import uuid

import dagster as dg

from tests.model_fixtures import create_raw_tables, rows


def _defs(url: str, report_dir: str, duplicate: bool):
    from assets.gates.checks import build_check
    from assets.gates.resource import GreatExpectationsResource
    from assets.resources import RunSettingsResource, SourcesResource, application_databases

    @dg.asset(key=["raw_airtable", "users"], group_name="land", required_resource_keys={"podium_db"})
    def users(context):
        create_raw_tables(url)
        ids = ["recU1", "recU1" if duplicate else "recU2"]
        with context.resources.podium_db.connect(autocommit=True) as conn:
            for rid in ids:
                conn.execute("insert into raw_airtable.users (id, fields) values (%s, %s)", (rid, json.dumps({"email": f"{rid}@example.com"})))

    @dg.asset(key=["staging", "downstream"], deps=[dg.AssetKey(["raw_airtable", "users"])])
    def downstream():
        from pipelines.database import connect

        with connect(url, autocommit=True) as conn:
            conn.execute("create table staging.downstream_ran as select 1 as ran")

    return dg.Definitions(
        assets=[users, downstream],
        asset_checks=[build_check("land", "podium")],
        jobs=[dg.define_asset_job("land_test", selection=dg.AssetSelection.assets(users, downstream))],
        resources={
            **application_databases(url),
            "sources": SourcesResource(),
            "run_settings": RunSettingsResource(report_dir=report_dir),
            "great_expectations": GreatExpectationsResource(),
        },
    )


def _run(url, tmp_path, duplicate):
    run_id = str(uuid.uuid4())
    job = _defs(url, str(tmp_path / "report"), duplicate).resolve_job_def("land_test")
    result = job.execute_in_process(run_id=run_id, instance=dg.DagsterInstance.ephemeral(), raise_on_error=False)
    ran = rows(url, "select to_regclass('staging.downstream_ran') is not null")[0][0]
    return run_id, result, ran


def test_failed_blocking_check_stops_downstream_and_says_why(db_url, tmp_path):
    run_id, result, ran = _run(db_url, tmp_path, duplicate=True)
    assert not result.success and ran is False
    evaluations = {e.check_name: e for e in result.get_asset_check_evaluations() if e.asset_key == dg.AssetKey(["raw_airtable", "users"])}
    # one check per rule: only the rule that failed fails
    failed = {name for name, e in evaluations.items() if not e.passed and e.severity == dg.AssetCheckSeverity.ERROR}
    assert failed == {"key_unique"}
    evaluation = evaluations["key_unique"]
    assert evaluation.metadata["failing_records"].value >= 1
    assert "recU1" in json.dumps(evaluation.metadata["examples"].value)
    assert evaluation.description.startswith("raw_airtable.users: id unique: 1 failing")
    assert evaluations["key_not_null"].passed is True
    recorded = rows(db_url, "select name, passed, failed_count from migration.gate_results where run_id = %s and not passed and severity = 'error'", (run_id,))
    assert recorded == [("raw_airtable.users: id unique", False, 1)]  # one id held by two records
    assert (tmp_path / "report" / "gx_results" / "land.podium.json").exists()


def test_passing_checks_let_downstream_run(db_url, tmp_path):
    run_id, result, ran = _run(db_url, tmp_path, duplicate=False)
    assert result.success and ran is True
    evaluations = {e.check_name: e for e in result.get_asset_check_evaluations() if e.asset_key == dg.AssetKey(["raw_airtable", "users"])}
    assert all(evaluations[name].passed for name in ("key_not_null", "key_unique"))
    # without schema.json, fields absent from every record are a WARN check that does not block
    assert evaluations["fields_in_records"].passed is False
    assert evaluations["fields_in_records"].severity == dg.AssetCheckSeverity.WARN
    # the schema's contract had nothing to judge: it passes and says so, never "0 rules passed"
    assert evaluations["fields_in_schema"].passed is True
    assert evaluations["fields_in_schema"].description.startswith("nothing to judge")

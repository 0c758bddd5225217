"""A SQL step PostgreSQL refuses is one sentence carrying the server's primary message and the
model or step, not the HINT line libpq appends last (issue 11: `step staging__stg_luma__events
failed: HINT: No function matches the given name and argument types…` was all a user saw)."""

from __future__ import annotations

import uuid

import dagster as dg

from assets.cutover.outcome import first_failure
from pipelines.database import connect
from tests.model_fixtures import _assets, airtable, create_raw_tables


def _materialize(url: str, groups: list[str]):
    from assets.resources import application_databases

    create_raw_tables(url)
    run_id = str(uuid.uuid4())
    with connect(url, autocommit=True) as conn:
        conn.execute("insert into migration.runs (run_id, job, started_at, status) values (%s, 'test', now(), 'running')", (run_id,))
    defs = dg.Definitions(assets=_assets(), jobs=[dg.define_asset_job("t", selection=dg.AssetSelection.groups(*groups))],
                          resources=application_databases(url))
    return defs.resolve_job_def("t").execute_in_process(run_id=run_id, instance=dg.DagsterInstance.ephemeral(), raise_on_error=False)


def test_a_failing_model_names_its_file_and_postgresqls_primary_message(db_url):
    airtable(db_url, "users", [{"id": "recU1", "createdTime": "2024-01-01T00:00:00.000Z",
                                "fields": {"email": "a@x.io", "dob": "1990-01-01"}}])
    with connect(db_url, autocommit=True) as conn:  # what a server without the function says
        conn.execute("drop function migration.try_date(text)")
    result = _materialize(db_url, ["podium_staging"])
    assert not result.success
    assert first_failure(result) == ("model sql_models/staging/stg_airtable__users.sql failed in PostgreSQL: "
                                     "function migration.try_date(text) does not exist.")


def test_any_other_sql_step_keeps_the_primary_message_and_the_step(db_url):
    @dg.op
    def broken_step():
        with connect(db_url) as conn:
            conn.execute("select no_such_function(1)")

    @dg.job
    def broken():
        broken_step()

    result = broken.execute_in_process(instance=dg.DagsterInstance.ephemeral(), raise_on_error=False)
    message = first_failure(result)
    assert message == "step broken_step failed: function no_such_function(integer) does not exist", message


def test_a_python_error_keeps_its_own_last_line():
    @dg.op
    def python_step():
        raise ValueError("first line\nthe words that matter")

    @dg.job
    def python_job():
        python_step()

    result = python_job.execute_in_process(instance=dg.DagsterInstance.ephemeral(), raise_on_error=False)
    assert first_failure(result) == "step python_step failed: the words that matter"

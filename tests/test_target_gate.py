"""The target gate (expectations/target.py) and candidates cloned from the live tables, on real
PostgreSQL with the real models: an application's additions reach the candidates and take their
defaults; what the live tables cannot take is named `<app>.<table>.<column>: <what>` before any
candidate row is written, recorded in migration.gate_results, and `cutover dry-run` exits 3."""

from __future__ import annotations

import json
import uuid

import pytest

from pipelines.database import connect
from tests.model_fixtures import airtable, mongo, oid, rows, run_transform

NOT_NULL_EXTRA = "alter table podium.users add column badge_level text not null"


def _sources(url: str) -> None:
    airtable(url, "users", [{"id": "recU1", "createdTime": "2024-01-01T00:00:00Z",
                             "fields": {"email": "ada.lovelace@example.com", "first_name": "Ada"}}])
    airtable(url, "events", [{"id": "recE1", "createdTime": "2024-01-01T00:00:00Z",
                              "fields": {"name": "Hack", "slug": "hack", "join_code": "J1", "owner": ["recU1"]}}])
    mongo(url, "profiles", [{"_id": {"$oid": oid(1)}, "lumaEmail": "m@x.io", "bio": "hi"}])


def _models():
    from assets.transform.models import CANDIDATE_LAYERS, load_models

    return [m for m in load_models() if m.layer in CANDIDATE_LAYERS]


def _check(url: str, run_id: str) -> None:
    from assets.transform.models import check_targets

    with connect(url, autocommit=True) as conn:
        check_targets(conn, run_id, _models())


def _gate_rows(url: str, run_id: str) -> dict[str, tuple]:
    found = rows(url, "select name, application, passed, failed_count, examples from migration.gate_results"
                      " where run_id = %s and phase = 'transform' and name like %s", (run_id, "%target columns%"))
    return {r[0]: r[1:] for r in found}


def test_the_spec_tables_pass_the_target_gate(db_url):
    _sources(db_url)
    run_id = run_transform(db_url)  # the candidate step ran the gate
    recorded = _gate_rows(db_url, run_id)
    assert len(recorded) == 18 and all(passed for _app, passed, _n, _e in recorded.values())
    assert recorded["podium.users: target columns: the model's output fits the live table"][0] == "podium"


def test_every_mismatch_is_named_before_any_candidate_row(db_url):
    from pipelines.errors import GateFailed

    _sources(db_url)
    run_transform(db_url)
    before = rows(db_url, "select count(*) from podium_next.users")[0][0]
    with connect(db_url, autocommit=True) as conn:
        conn.execute(NOT_NULL_EXTRA)  # an application's unknown NOT NULL column
        conn.execute("alter table podium.users alter column email type varchar(12)")  # narrower than ada.lovelace@…
        conn.execute("alter table podium.users add column nickname text")  # nullable: fine
        conn.execute("alter table hello_miami.profiles drop column bio")  # the model fills it
        conn.execute("alter table hello_miami.events alter column location type integer using null")  # jsonb won't fit
    run_id = str(uuid.uuid4())
    with pytest.raises(GateFailed) as raised:
        _check(db_url, run_id)
    named = [
        "podium.users.badge_level: NOT NULL without default, and no model fills it",
        "podium.users.email: character varying(12) is narrower than the longest value the model produces (24 characters)",
        "hello_miami.profiles.bio: the model fills it, the table has no such column",
        "hello_miami.events.location: integer cannot hold the model's jsonb",
    ]
    for sentence in named:
        assert sentence in str(raised.value) or "more)" in str(raised.value)
    assert str(raised.value).startswith("the target gate failed, no candidate row was written: ")
    recorded = _gate_rows(db_url, run_id)
    failed = {name: examples for name, (_app, passed, _n, examples) in recorded.items() if not passed}
    assert sorted(e for examples in failed.values() for e in examples) == sorted(named)
    assert recorded["podium.users: target columns: the model's output fits the live table"][:3] == ("podium", False, 2)
    assert not any("nickname" in e for examples in failed.values() for e in examples)
    assert rows(db_url, "select count(*) from podium_next.users")[0][0] == before  # the gate wrote nothing


def test_a_failing_target_gate_stops_the_candidate_step(db_url):
    import dagster as dg

    from assets.resources import application_databases
    from tests.model_fixtures import _assets

    _sources(db_url)
    run_transform(db_url)
    with connect(db_url, autocommit=True) as conn:
        conn.execute(NOT_NULL_EXTRA)
    defs = dg.Definitions(assets=_assets(), jobs=[dg.define_asset_job("t", selection=dg.AssetSelection.all())],
                          resources=application_databases(db_url))
    result = defs.resolve_job_def("t").execute_in_process(instance=dg.DagsterInstance.ephemeral(), raise_on_error=False)
    assert not result.success
    failed_steps = [e.step_key for e in result.all_events if e.event_type_value == "STEP_FAILURE"]
    assert failed_steps == ["candidate_tables_podium"]  # Hello Miami's candidates are built apart
    # the previous run's candidates are intact, not half-rebuilt
    assert rows(db_url, "select count(*) from podium_next.users")[0][0] == 1


def test_an_applications_extra_nullable_column_and_index_reach_the_candidate_with_defaults(db_url):
    from assets.cutover.preconditions import check_same_ddl
    from pipelines import targets

    _sources(db_url)
    with connect(db_url, autocommit=True) as conn:  # the application added these on its own
        conn.execute("alter table hello_miami.profiles add column pronouns text default 'unset'")
        conn.execute("create index profiles_pronouns_idx on hello_miami.profiles (pronouns)")
    run_transform(db_url)
    assert rows(db_url, "select pronouns, linkedin_url, looking_for_cofounder, want_to_give_back, specialties, interested_experiences"
                        " from hello_miami_next.profiles") == [("unset", None, False, False, [], [])]
    assert rows(db_url, "select indexdef from pg_indexes where schemaname = 'hello_miami_next' and indexname = 'profiles_pronouns_idx'") == [
        ("CREATE INDEX profiles_pronouns_idx ON hello_miami_next.profiles USING btree (pronouns)",)]
    with connect(db_url) as conn:
        for target in targets.targets():
            check_same_ddl(conn, target)  # what `cutover apply` requires: the candidate has exactly the live DDL


def test_podium_in_the_public_schema(empty_db_url, monkeypatch):
    import migrations

    monkeypatch.setenv("PODIUM_SCHEMA", "public")
    migrations.upgrade(empty_db_url)
    _sources(empty_db_url)
    run_id = run_transform(empty_db_url)
    assert rows(empty_db_url, "select email from podium_next.users") == [("ada.lovelace@example.com",)]
    recorded = _gate_rows(empty_db_url, run_id)
    assert "public.users: target columns: the model's output fits the live table" in recorded
    assert all(passed for _app, passed, _n, _e in recorded.values())
    with connect(empty_db_url, autocommit=True) as conn:
        conn.execute("alter table public.users alter column first_name type varchar(2)")
    with pytest.raises(Exception, match=r"podium\.users\.first_name: character varying\(2\) is narrower"):
        _check(empty_db_url, "r2")


@pytest.fixture
def sample(tmp_path_factory):
    from assets.cli import main

    out = tmp_path_factory.mktemp("sample") / "snap"
    assert main(["sample", "--out", str(out), "--scale", "0.05"]) == 0
    return out


@pytest.mark.slow  # a whole CLI dry-run (~15 s): .ci/run's slow step; the gate's refusal is tested in make test
def test_dry_run_exits_3_and_the_report_names_the_column(db_url, sample, tmp_path, capsys, monkeypatch):
    from assets.cli import main

    monkeypatch.delenv("DAGSTER_PG_URL", raising=False)
    monkeypatch.setenv("CUTOVER_QUARANTINE_CEILING", "0.9")  # a tiny dirty sample quarantines more than the real base
    with connect(db_url, autocommit=True) as conn:
        conn.execute(NOT_NULL_EXTRA)
    report = tmp_path / "report"
    assert main(["dry-run", "--snapshot", str(sample), "--report-dir", str(report)]) == 3
    err = capsys.readouterr().err
    assert "podium.users.badge_level: NOT NULL without default, and no model fills it" in err
    data = json.loads((report / "reconciliation.json").read_text())
    failing = [g for g in data["gates"] if not g["passed"] and g["severity"] == "error"]
    assert [(g["phase"], g["application"]) for g in failing] == [("transform", "podium")]
    # the candidate step is per application: Hello Miami's went on and is ready
    assert data["apps"]["hello_miami"]["passed"] and not data["apps"]["podium"]["passed"]
    assert "podium.users.badge_level" in (report / "report.html").read_text()

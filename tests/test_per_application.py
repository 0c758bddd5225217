"""Every command scoped to one application, each application in its own database (issues 13, 18):
the definitions' jobs and groups per application; a Podium dry-run with only Airtable settings
(the HTTP stand-in) and Podium's database, touching nothing of Hello Miami; a combined dry-run over
two real databases that puts each application's rows only in its own database."""

from __future__ import annotations

import json

import uuid

import dagster as dg
import pytest

from pipelines import registry
from pipelines.database import connect
from tests.conftest import _create_database, _drop_database
from tests.standins.airtable import AirtableStandIn, podium_tables

APPS = tuple(registry.APPLICATIONS)
# the project's schemas in an application's database (the live schemas are the application's own)
PROJECT_SCHEMAS = ("raw_airtable", "raw_mongo", "raw_luma", "staging", "intermediate", "migration",
                   "podium_next", "hello_miami_next", *(f"raw_live_{app}" for app in APPS))
# migration.* rows name their application by one of these columns
APP_COLUMNS = {"source": registry.application_of, "application": lambda app: app, "target_table": lambda t: t.split(".")[0]}


def test_definitions_have_a_land_and_dry_run_job_and_groups_per_application():
    from assets.definitions import defs

    graph = defs.resolve_asset_graph()
    groups = {graph.get(key).group_name for key in graph.get_all_asset_keys()}
    assert {f"{app}_{layer}" for app in APPS for layer in ("raw", "staging", "intermediate", "candidates", "reconcile")} <= groups
    assert not groups & {"land", "staging", "intermediate", "podium", "hello_miami", "reconcile"}
    for app in APPS:
        keys = defs.resolve_job_def(f"{app}_dry_run").asset_layer.executable_asset_keys
        owners = {graph.get(key).group_name.split("_")[0] for key in keys}
        # only the application's own assets, and the report of the run (it reads the run's applications only)
        assert owners == {app.split("_")[0], "report"}, (app, owners)
        land = defs.resolve_job_def(f"{app}_land").asset_layer.executable_asset_keys
        # its sources and its own live tables (assets/land/live.py)
        assert {key.path[0] for key in land} == {f"raw_{s}" for s in registry.sources_of(app)} | {f"raw_live_{app}"}
    both = defs.resolve_job_def("dry_run").asset_layer.executable_asset_keys
    assert both == set().union(*(defs.resolve_job_def(f"{app}_dry_run").asset_layer.executable_asset_keys for app in APPS))
    assert {"land", "podium_land", "hello_miami_land", "podium_dry_run", "hello_miami_dry_run"} <= {j.name for j in defs.resolve_all_job_defs()}
    # every asset of an application requires that application's database, and no other
    for key in graph.get_all_asset_keys():
        node = graph.get(key)
        app = next((a for a in APPS if node.group_name.startswith(f"{a}_")), None)
        if app is None or not node.is_materializable:  # the report; the Luma sync's `live` (issue 18b)
            continue
        needs = {k for k in defs.resolve_assets_def(key).required_resource_keys if k.endswith("_db") or k == "postgres"}
        assert f"{app}_db" in needs and "postgres" not in needs, (key, needs)


def test_an_application_database_resolves_its_own_setting_at_run_time(monkeypatch):
    from assets.resources import application_databases

    monkeypatch.setenv("DATABASE_URL", "postgresql://u@shared/db")
    monkeypatch.setenv("PODIUM_DATABASE_URL", "postgresql://u@podium-host/podium")
    resources = application_databases()
    assert resources["podium_db"].url() == "postgresql://u@podium-host/podium"
    assert resources["hello_miami_db"].url() == "postgresql://u@shared/db"
    assert application_databases("postgresql://u@x/y")["podium_db"].url() == "postgresql://u@x/y"  # run config wins


@pytest.fixture
def second_db(admin_url):
    """An empty database on the same server (another application's)."""
    name = f"o_{uuid.uuid4().hex[:10]}"
    url = _create_database(admin_url, name)
    yield url
    from pipelines.database import engine

    engine(url).dispose()
    _drop_database(admin_url, name)


def _filled_tables(url: str) -> dict[str, int]:
    """schema.table -> rows, for every non-empty table of the project's schemas."""
    with connect(url, autocommit=True) as conn:
        tables = [r[0] for r in conn.execute(
            "select schemaname || '.' || tablename from pg_tables where schemaname = any(%s)", (list(PROJECT_SCHEMAS),))]
        counts = {t: conn.execute(f"select count(*) from {t}").fetchone()[0] for t in tables}
    return {t: n for t, n in counts.items() if n}


def _owner(table: str) -> str | None:
    """The application a pipeline table belongs to by its name (None: a migration.* table)."""
    schema, name = table.split(".")
    if schema.startswith("raw_live_"):
        return schema.removeprefix("raw_live_")
    if schema.startswith("raw_"):
        return registry.application_of(schema.removeprefix("raw_"))
    if schema == "staging":
        source = name.removeprefix("stg_").split("__")[0]
        return source.removeprefix("live_") if source.startswith("live_") else registry.application_of(source)
    if schema == "intermediate":
        return next(app for app in APPS if name.startswith(f"int_{app}__"))
    if schema.endswith("_next"):
        return schema.removesuffix("_next")
    return None


def _applications_in(url: str) -> dict[str, set[str]]:
    """table -> the applications its rows belong to, for every non-empty table of `url`."""
    found: dict[str, set[str]] = {}
    with connect(url, autocommit=True) as conn:
        for table in _filled_tables(url):
            owner = _owner(table)
            if owner:
                found[table] = {owner}
                continue
            columns = {r[0] for r in conn.execute(
                "select column_name from information_schema.columns where table_schema || '.' || table_name = %s", (table,))}
            column = next((c for c in APP_COLUMNS if c in columns), None)
            if column is None:
                found[table] = set()  # not per application (migration.runs, cutovers, luma_syncs)
                continue
            values = [r[0] for r in conn.execute(f"select distinct {column} from {table} where {column} is not null")]
            found[table] = {APP_COLUMNS[column](v) for v in values}
    return found


def _scoped_env(monkeypatch, podium_url: str, hello_miami_url: str) -> None:
    """Each application's database by its own setting; no shared DATABASE_URL, no Hello Miami source."""
    from assets.runner import _psycopg2

    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("PODIUM_DATABASE_URL", podium_url)
    monkeypatch.setenv("HELLO_MIAMI_DATABASE_URL", hello_miami_url)
    monkeypatch.setenv("DAGSTER_PG_URL", _psycopg2(podium_url))  # Dagster's run history, beside Podium's


def test_podium_dry_run_with_only_airtable_settings_touches_nothing_of_hello_miami(db_url, second_db, tmp_path, monkeypatch):
    from assets.cli import main

    _scoped_env(monkeypatch, db_url, second_db)
    for key in ("MONGO_URI", "MONGO_DB", "LUMA_API_KEY", "LUMA_BASE_URL", "CUTOVER_SNAPSHOT_DIR"):
        monkeypatch.delenv(key, raising=False)
    with AirtableStandIn(podium_tables(30), rate=1000) as standin:
        for key, value in standin.env().items():
            monkeypatch.setenv(key, value)
        assert main(["dry-run", "--app", "podium", "--report-dir", str(tmp_path / "report")]) == 0

    with connect(second_db) as conn:  # Hello Miami's database: not even migrated
        assert conn.execute("select nspname from pg_namespace where nspname = any(%s)", (list(PROJECT_SCHEMAS),)).fetchall() == []
    placed = _applications_in(db_url)
    assert {t for t, apps in placed.items() if apps - {"podium"}} == set(), placed
    assert {"raw_airtable.users", "staging.stg_airtable__users", "intermediate.int_podium__classification",
            "podium_next.users", "migration.count_ledger", "migration.id_lineage", "migration.gate_results"} <= set(placed)
    with connect(db_url) as conn:
        run = conn.execute("select apps, status, passed from migration.runs where job = 'podium_dry_run'").fetchall()
        gates = conn.execute("select distinct phase, application from migration.gate_results order by 1").fetchall()
    assert run == [(["podium"], "success", True)]
    assert gates == [("land", "podium"), ("reconcile", "podium"), ("transform", "podium")]


@pytest.mark.slow  # a whole combined dry-run over two databases (~16 s): .ci/run's slow step
def test_combined_dry_run_puts_each_application_in_its_own_database(db_url, second_db, tmp_path, monkeypatch):
    from assets.cli import main

    # a tiny dirty sample quarantines a larger share than the real base (as in test_cutover_e2e)
    monkeypatch.setenv("CUTOVER_QUARANTINE_CEILING", "0.9")
    sample = tmp_path / "sample"
    assert main(["sample", "--out", str(sample), "--scale", "0.02"]) == 0
    _scoped_env(monkeypatch, db_url, second_db)
    report = tmp_path / "report"
    assert main(["dry-run", "--snapshot", str(sample), "--report-dir", str(report)]) == 0

    for url, app in ((db_url, "podium"), (second_db, "hello_miami")):
        placed = _applications_in(url)
        assert {t for t, apps in placed.items() if apps - {app}} == set(), (app, placed)
        for schema in [f"raw_{s}" for s in registry.sources_of(app)] + ["staging", "intermediate", f"{app}_next"]:
            assert any(t.startswith(f"{schema}.") for t in placed), (app, schema)
        for table in ("count_ledger", "id_lineage", "gate_results", "runs"):
            assert f"migration.{table}" in placed, (app, table)
        with connect(url) as conn:
            runs = conn.execute("select apps, passed from migration.runs where job = 'dry_run'").fetchall()
            passed = conn.execute("select bool_and(passed) from migration.gate_results where severity = 'error'").fetchone()[0]
        assert runs == [(list(APPS), True)] and passed, (app, runs)
    # one report over both databases, each application's part and verdict from its own
    data = json.loads((report / "reconciliation.json").read_text())
    assert {app: v["passed"] for app, v in data["apps"].items()} == {app: True for app in APPS}
    assert {registry.application_of(t["source"]) for t in data["tables"]} == set(APPS)


def test_reconcile_of_one_application_keeps_the_others_rows_of_the_run(db_url):
    """Both applications in one database: a rerun of Podium's reconcile for the same run replaces
    Podium's rows of migration.* and leaves Hello Miami's as they were."""
    from tests.model_fixtures import airtable, mongo, oid, rows, run_transform, transform_groups

    airtable(db_url, "users", [{"id": "recU1", "createdTime": "2024-01-01T00:00:00.000Z", "fields": {"email": "a@x.io"}},
                               {"id": "recU2", "createdTime": "2024-01-01T00:00:00.000Z", "fields": {}}])
    mongo(db_url, "profiles", [{"_id": {"$oid": oid(1)}, "lumaEmail": "b@x.io"}, {"_id": {"$oid": oid(2)}}])
    run_id = run_transform(db_url)
    query = ("select source, count(*) from migration.{} where run_id = %s group by 1 order by 1")
    before = {t: rows(db_url, query.format(t), (run_id,)) for t in ("quarantine", "count_ledger", "id_lineage")}
    assert {s for t in before.values() for s, _n in t} == {"airtable", "mongo"}
    # a conflict of each application (conflicts name theirs in `application`): Podium's is replaced
    rows(db_url, "insert into migration.conflicts (run_id, application, kind, key) values"
                 " (%s, 'hello_miami', 'mongo_luma', 'kept'), (%s, 'podium', 'reverse_link', 'stale') returning 1", (run_id, run_id))
    run_transform(db_url, run_id, groups=[g for g in transform_groups("podium") if g.endswith("_reconcile")])
    assert {t: rows(db_url, query.format(t), (run_id,)) for t in before} == before
    assert rows(db_url, "select application, key from migration.conflicts where run_id = %s order by 1", (run_id,)) == [
        ("hello_miami", "kept")]


@pytest.mark.parametrize("job", ["dry_run", "podium_dry_run", "hello_miami_dry_run"])
def test_a_dry_run_launched_in_the_ui_gets_its_report_for_every_dry_run_job(job):
    """A passing run writes it in its last step (the report asset is in every dry-run job); a failed
    one gets it from the failure sensor, for its own applications."""
    from assets.definitions import defs
    from assets.gates.report_sensor import report_request, skip_reason

    assert dg.AssetKey(["reports", "dry_run"]) in defs.resolve_job_def(job).asset_layer.executable_asset_keys
    run = dg.DagsterRun(job_name=job, run_id=str(uuid.uuid4()), tags={})
    assert skip_reason(run) is None
    request = report_request(run, "step x failed")
    assert request.tags == {"cutover/dry_run_id": run.run_id}
    config = request.run_config["ops"]["reports__dry_run"]["config"]
    assert config["apps"] == ([job.removesuffix("_dry_run")] if job != "dry_run" else list(APPS))
    cli = dg.DagsterRun(job_name=job, run_id=str(uuid.uuid4()), tags={"cutover/report": "cli"})
    assert skip_reason(cli)  # the CLI writes its own
    assert skip_reason(dg.DagsterRun(job_name="podium_land", run_id="x"))


def test_land_of_one_application_lands_only_its_sources(db_url, tmp_path, capsys):
    """Both applications in one database: `cutover land --app hello_miami` from a snapshot holding
    both lands MongoDB and Luma only, and the run says it covered Hello Miami."""
    from assets.cli import main

    sample = tmp_path / "sample"
    assert main(["sample", "--out", str(sample), "--scale", "0.02"]) == 0
    assert main(["land", "--app", "hello_miami", "--snapshot", str(sample)]) == 0
    placed = _applications_in(db_url)
    assert {t for t, apps in placed.items() if apps - {"hello_miami"}} == set(), placed
    assert {"raw_mongo.profiles", "raw_luma.events"} <= set(placed)
    with connect(db_url) as conn:
        assert conn.execute("select job, apps from migration.runs").fetchall() == [("hello_miami_land", ["hello_miami"])]
        sources = conn.execute("select distinct source from migration.count_ledger order by 1").fetchall()
    assert sources == [("luma",), ("mongo",)]
    assert "airtable." not in capsys.readouterr().out

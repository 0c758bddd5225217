"""Every command that touches the database first reads the server's server_version_num and stops
below PostgreSQL 15 with one sentence naming the version found and the minimum (exit 1), before
migrating or writing anything. No server older than 15 is at hand, so its answer is faked."""

from __future__ import annotations

import pytest

import pipelines.database
from pipelines.database import connect
from pipelines.errors import CutoverError


@pytest.fixture
def server_14(monkeypatch):
    monkeypatch.setattr(pipelines.database, "server_version_num", lambda conn: 140011)


def _schemas(url) -> set[str]:
    with connect(url) as conn:
        return {r[0] for r in conn.execute("select nspname from pg_namespace where nspname !~ '^pg_' and nspname <> 'information_schema'")}


def test_the_real_server_is_new_enough(empty_db_url):
    with connect(empty_db_url) as conn:
        assert pipelines.database.server_version_num(conn) == conn.info.server_version >= 150000
    pipelines.database.check_server(empty_db_url)


def test_a_server_older_than_15_is_one_sentence_naming_both_versions(empty_db_url, server_14):
    with pytest.raises(CutoverError) as raised:
        pipelines.database.check_server(empty_db_url)
    message = str(raised.value)
    assert "version 14.11" in message and "needs PostgreSQL 15 or newer" in message
    assert "\n" not in message


def test_the_boundary_is_15_0(empty_db_url, monkeypatch):
    monkeypatch.setattr(pipelines.database, "server_version_num", lambda conn: 150000)
    pipelines.database.check_server(empty_db_url)
    monkeypatch.setattr(pipelines.database, "server_version_num", lambda conn: 149999)
    with pytest.raises(CutoverError, match="version 14.9999"):
        pipelines.database.check_server(empty_db_url)
    monkeypatch.setattr(pipelines.database, "server_version_num", lambda conn: 90624)
    with pytest.raises(CutoverError, match="version 9.6.24"):
        pipelines.database.check_server(empty_db_url)


@pytest.mark.parametrize("command", [["migrate"], ["land", "--snapshot", "."], ["dry-run", "--snapshot", "."],
                                     ["apply"], ["rollback"], ["sync-luma"], ["demo", "--out", "SAMPLE"]])
def test_every_database_command_stops_before_touching_an_old_server(empty_db_url, server_14, command, tmp_path, capsys):
    from assets.cli import main

    status = main([str(tmp_path / "sample") if part == "SAMPLE" else part for part in command])
    err = capsys.readouterr().err
    assert status == 1, err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and "version 14.11" in lines[0] and "PostgreSQL 15 or newer" in lines[0], err
    assert _schemas(empty_db_url) == {"public"}  # not migrated, nothing written
    assert not (tmp_path / "sample").exists()  # the demo did not even write its sample

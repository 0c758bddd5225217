"""The lower end of the supported versions: the operator's whole path (migrate, dry-run on the
sample, apply, one Luma sync against the stand-in, rollback) on a distribution's own PostgreSQL
server (Debian 12's is 15), started here as a throwaway cluster on a free port.

Marked `distribution_server`: runs only where CUTOVER_TEST_PG_BINDIR names that server's binaries
(`.ci/run` installs it with apt-get and selects these tests with `-m distribution_server`);
`make test` skips them otherwise (tests/conftest.py).
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from pipelines.database import connect, with_database
from tests.test_cutover_e2e import cutover, operator_flow
from tests.throwaway_postgres import ThrowawayPostgres, distribution_bindir, embedded_bindir

pytestmark = pytest.mark.distribution_server

USER = "cutover_dist"
PASSWORD = "dist-pw"


def _major(bindir: Path) -> int:
    banner = subprocess.run([str(bindir / "postgres"), "--version"], capture_output=True, text=True, check=True).stdout
    return int(banner.split()[-1].split(".")[0])


@pytest.fixture(scope="module")
def dist_server():
    with ThrowawayPostgres(distribution_bindir(), USER, PASSWORD) as server:
        yield server


def _create(server: ThrowawayPostgres, name: str) -> str:
    with connect(server.url("postgres"), autocommit=True) as conn:
        conn.execute(f'create database "{name}"')
    return server.url(name)


def test_the_distribution_server_is_supported_and_not_the_embedded_one(dist_server):
    with connect(dist_server.url("postgres")) as conn:
        version = conn.execute("show server_version").fetchone()[0]
        number = conn.info.server_version
    print(f"distribution server: PostgreSQL {version} ({distribution_bindir()})")
    assert number >= 150000 and number // 10000 == _major(distribution_bindir())
    from pipelines.database import check_server

    check_server(dist_server.url("postgres"))


def test_migrate_dry_run_apply_sync_rollback_on_the_distribution_server(dist_server, tmp_path, monkeypatch):
    url = _create(dist_server, "cutover_e2e")
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("DAGSTER_PG_URL", _create(dist_server, "cutover_dagster"))
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "dagster_home"))
    monkeypatch.setenv("USER", "test-operator")
    migrated = cutover("migrate")
    assert migrated.returncode == 0, migrated.stdout + migrated.stderr
    with connect(url) as conn:  # the safe casts, not pg_input_is_valid (16+), are what the models call
        assert conn.execute("select migration.try_timestamptz('2024-02-30'), migration.try_numeric('1.5')").fetchone() == (None, 1.5)
    operator_flow(url, tmp_path, monkeypatch)


def test_a_running_cluster_of_an_older_major_is_stopped_and_moved_aside(dist_server):
    """What `make demo` meets in a checkout whose .local/postgres an older embedded server made
    and left running: here a cluster of the distribution's major, started on a Unix socket."""
    import psutil

    from pipelines.database import retire_older_cluster

    if _major(distribution_bindir()) == _major(embedded_bindir()):
        pytest.skip("the distribution ships the embedded server's major")
    root = Path(tempfile.mkdtemp(prefix="cutover-older-running-"))
    old = ThrowawayPostgres(distribution_bindir(), USER, PASSWORD)
    try:
        old.start()
        pid = int((old.pgdata / "postmaster.pid").read_text().split()[0])
        assert psutil.pid_exists(pid)
        aside = retire_older_cluster(old.pgdata, embedded_bindir())
        assert aside is not None and not psutil.pid_exists(pid)
        assert (aside / "PG_VERSION").read_text().strip() == str(_major(distribution_bindir()))
        assert not old.pgdata.exists()
        old.started = False  # stopped by the retirement; stop() only cleans up
    finally:
        old.stop()
        shutil.rmtree(root, ignore_errors=True)

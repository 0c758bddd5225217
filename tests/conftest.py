"""Shared fixtures: a real PostgreSQL for every test, never a mock.

The server is `DATABASE_URL` when set (it needs CREATEDB), else the embedded cluster in
`.local/postgres-test`. Each test that asks for `db_url` gets its own database cloned from a
template that already holds `alembic upgrade head`, so tests are isolated and cloning costs
milliseconds instead of a migration run.
"""

from __future__ import annotations

import contextlib
import os
import uuid

import pytest

from pipelines.settings import ensure_runtime_dir  # noqa: E402

ensure_runtime_dir()


# The files whose tests take longest (whole CLI dry-runs, landings through their failure paths),
# handed out first: `make test` gives each of its two workers one file at a time in collection
# order (`--dist loadfile --no-loadscope-reorder`; xdist's own reorder puts files with many tests
# first, which left a 30-40 s file running alone at the end while the other core idled).
RUN_FIRST = (
    "test_dry_run_cli.py", "test_config_errors.py", "test_landing_all_or_none.py",
    "test_per_application.py", "test_rule_luma_duplicates.py", "test_land_airtable.py", "test_target_gate.py",
    "test_gates_reconcile.py", "test_models_e2e.py", "test_report_live_hop.py", "test_tcp_database.py",
    "test_cli_migrates_first.py", "test_land_command.py", "test_exclusive_runs.py",
)


def pytest_collection_modifyitems(config, items):
    """The longest files first (RUN_FIRST). Tests on a distribution's PostgreSQL server need its
    binaries (tests/throwaway_postgres.py); browser tests need Chromium (tests/browser.py). Both are
    installed by .ci/run."""
    first = {name: i for i, name in enumerate(RUN_FIRST)}
    items.sort(key=lambda item: first.get(item.path.name, len(first)))
    from tests.browser import chromium_binary
    from tests.throwaway_postgres import DISTRIBUTION_BINDIR_VARIABLE, distribution_bindir

    needs = {
        "distribution_server": (distribution_bindir() is None, f"no distribution PostgreSQL: set {DISTRIBUTION_BINDIR_VARIABLE} (see .ci/run)"),
        "browser": (chromium_binary() is None, "no Chromium: apt-get install chromium (see .ci/run)"),
    }
    for marker, (missing, reason) in needs.items():
        if missing:
            for item in items:
                if marker in item.keywords:
                    item.add_marker(pytest.mark.skip(reason=reason))


def _admin_url() -> str:
    from pipelines import settings
    from pipelines.database import database_url

    if not os.environ.get("DATABASE_URL"):
        os.environ.setdefault("CUTOVER_PGDATA", str(settings.home() / "postgres-test"))
    return database_url()


def _create_database(admin_url: str, name: str, template: str | None = None) -> str:
    from pipelines.database import connect, with_database

    with connect(admin_url, autocommit=True) as conn:
        clause = f' template "{template}"' if template else ""
        conn.execute(f'create database "{name}"{clause}')
    return with_database(admin_url, name)


def _drop_database(admin_url: str, name: str) -> None:
    from pipelines.database import connect

    with connect(admin_url, autocommit=True) as conn:
        conn.execute(f'drop database if exists "{name}" with (force)')


@pytest.fixture(scope="session")
def admin_url() -> str:
    return _admin_url()


@pytest.fixture(scope="session")
def template_db(admin_url):
    """A database at `alembic upgrade head`, used only as a template."""
    import migrations

    name = f"tpl_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    url = _create_database(admin_url, name)
    migrations.upgrade(url)
    from pipelines.database import engine

    engine(url).dispose()
    yield name
    _drop_database(admin_url, name)


@contextlib.contextmanager
def migrated_database(admin_url: str, template_db: str):
    """A fresh migrated database (a copy of the template), dropped afterwards; yields its URL."""
    name = f"t_{uuid.uuid4().hex[:10]}"
    url = _create_database(admin_url, name, template=template_db)
    yield url
    from pipelines.database import engine

    engine(url).dispose()
    _drop_database(admin_url, name)


@pytest.fixture
def db_url(admin_url, template_db, monkeypatch):
    """A fresh migrated database of its own; DATABASE_URL points at it for the test."""
    with migrated_database(admin_url, template_db) as url:
        monkeypatch.setenv("DATABASE_URL", url)
        yield url


@pytest.fixture
def empty_db_url(admin_url, monkeypatch):
    """A fresh database with nothing in it (for migration tests)."""
    name = f"e_{uuid.uuid4().hex[:10]}"
    url = _create_database(admin_url, name)
    monkeypatch.setenv("DATABASE_URL", url)
    yield url
    from pipelines.database import engine

    engine(url).dispose()
    _drop_database(admin_url, name)


@pytest.fixture(autouse=True)
def _dagster_settings_restored():
    """An in-process CLI run points DAGSTER_HOME / DAGSTER_PG_URL (and the runner's _CUTOVER_*
    bookkeeping) at the test's own database, which is dropped after the test; monkeypatch only
    restores variables it saw set, so without this a later test of the same worker inherits a URL
    to a database that no longer exists (seen: a subprocess `cutover land` failing on it)."""
    names = lambda: {k for k in os.environ if k in ("DAGSTER_HOME", "DAGSTER_PG_URL") or k.startswith("_CUTOVER_")}  # noqa: E731
    saved = {k: os.environ[k] for k in names()}
    yield
    for k in names() - saved.keys():
        del os.environ[k]
    os.environ.update(saved)

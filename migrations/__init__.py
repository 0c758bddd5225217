"""Alembic migrations: the `migration` metadata schema and the project's other own schemas, then
the applications' tables (SPEC §3) where their schema is empty.

Run them with `upgrade(url)` / `downgrade(url, "base")` (both read `DATABASE_URL`, embedded
PostgreSQL when unset). The `alembic` command with `-c migrations/alembic.ini` runs the revisions
only: the applications' tables come from `upgrade()`, which calls `migrations.ddl.ensure_targets`
after them.
"""

from __future__ import annotations

from pathlib import Path

HERE = Path(__file__).resolve().parent


def _config(url: str | None):
    from alembic.config import Config

    from pipelines.database import sqlalchemy_url

    cfg = Config()
    cfg.set_main_option("script_location", str(HERE))
    cfg.attributes["sqlalchemy_url"] = sqlalchemy_url(url)
    return cfg


def upgrade(url: str | None = None, revision: str = "head", apps: list[str] | None = None) -> None:
    """Our revisions, then each application's live tables (created only in an empty schema) and its
    candidate schema if there is none; `apps`: the applications living in this database (all)."""
    from alembic import command

    from migrations.ddl import ensure_targets
    from pipelines.database import database_url

    command.upgrade(_config(url), revision)
    ensure_targets(url or database_url(), apps)


def downgrade(url: str | None = None, revision: str = "base") -> None:
    from alembic import command

    command.downgrade(_config(url), revision)

"""Alembic migrations: the target schemas (SPEC §3) and the `migration` metadata schema.

Run them with `upgrade(url)` / `downgrade(url, "base")`, or the `alembic` command with
`-c migrations/alembic.ini` (both read `DATABASE_URL`, embedded PostgreSQL when unset).
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


def upgrade(url: str | None = None, revision: str = "head") -> None:
    from alembic import command

    command.upgrade(_config(url), revision)


def downgrade(url: str | None = None, revision: str = "base") -> None:
    from alembic import command

    command.downgrade(_config(url), revision)

"""Each application's target (SPEC §3, §6): its own database and its own live schema.

- `<APP>_DATABASE_URL` (`PODIUM_DATABASE_URL`, `HELLO_MIAMI_DATABASE_URL`), default `DATABASE_URL`,
  default the embedded PostgreSQL. Everything one application's migration needs (its raw landing,
  staging and intermediate models, candidates, `migration` metadata, our Alembic version table)
  lives in that database; the demo puts both applications in the embedded one.
- `<APP>_SCHEMA` (`PODIUM_SCHEMA`, `HELLO_MIAMI_SCHEMA`), default the application's name: the schema
  of the application's own tables. `public` works.
- The candidate schema is `<app>_next` and the previous rows of a cutover `<app>_prev`, whatever the
  live schema is called (SPEC §6 names them; a live schema `public` must not give `public_next`).

Pure settings: no heavy imports; the embedded server is only started when a URL is asked for.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass

from pipelines import registry
from pipelines.errors import CutoverError

# schemas the project itself owns in an application's database; a live schema may not be one
OWN_SCHEMAS = ("migration", "staging", "intermediate", "raw_airtable", "raw_mongo", "raw_luma")
_IDENTIFIER = re.compile(r"[a-z_][a-z0-9_]{0,62}")


def setting_prefix(app: str) -> str:
    return app.upper()


@dataclass(frozen=True)
class Target:
    app: str
    schema: str  # the application's live schema

    @property
    def candidate_schema(self) -> str:
        return f"{self.app}_next"

    @property
    def prev_schema(self) -> str:
        return f"{self.app}_prev"

    @property
    def url_setting(self) -> str:
        return f"{setting_prefix(self.app)}_DATABASE_URL"

    @property
    def schema_setting(self) -> str:
        return f"{setting_prefix(self.app)}_SCHEMA"

    @property
    def url(self) -> str:
        """The libpq URL of this application's database (starts the embedded server if that is it)."""
        return database_url(self.app)


def database_url(app: str | None = None) -> str:
    """`<APP>_DATABASE_URL`, else `DATABASE_URL`, else the embedded server; `app=None`: the latter two."""
    from pipelines.database import database_url as default_url, normalize_url

    own = os.environ.get(f"{setting_prefix(app)}_DATABASE_URL", "").strip() if app else ""
    return normalize_url(own) if own else default_url()


def schema_of(app: str) -> str:
    setting = f"{setting_prefix(app)}_SCHEMA"
    schema = os.environ.get(setting, "").strip() or app
    if not _IDENTIFIER.fullmatch(schema):
        raise CutoverError(f"{setting}={schema!r} is not a plain PostgreSQL schema name (lower-case letters, digits and _): set it to the schema that holds {app}'s tables.")
    others = {f"{a}_{suffix}" for a in registry.APPLICATIONS for suffix in ("next", "prev")}
    if schema in OWN_SCHEMAS or schema in others:
        raise CutoverError(f"{setting}={schema!r} names a schema this project uses for its own tables: set it to the schema that holds {app}'s tables.")
    return schema


def target(app: str) -> Target:
    if app not in registry.APPLICATIONS:
        raise CutoverError(f"unknown application {app!r}: use one of {', '.join(registry.APPLICATIONS)}.")
    return Target(app, schema_of(app))


def targets(app: str | None = None) -> list[Target]:
    """The named application's target, or every application's (registry order)."""
    return [target(app)] if app else [target(a) for a in registry.APPLICATIONS]


def by_database(apps: list[str] | None = None) -> dict[str, list[str]]:
    """database URL -> the applications living there (one entry when they share a database)."""
    out: dict[str, list[str]] = {}
    for app in apps or list(registry.APPLICATIONS):
        out.setdefault(database_url(app), []).append(app)
    return out

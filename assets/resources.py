"""Resources shared by every phase. Values come from the environment, so the UI and the CLI agree;
the CLI overrides them per run through run config (e.g. `--snapshot DIR`).

Every asset and check that reads or writes an application's tables requires that application's
database, `podium_db` / `hello_miami_db` (design.md: everything one application's migration needs
lives in its own database). The report and the cutover find each application's database through
`pipelines.targets` themselves; `PostgresResource` is the base of the per-application resource."""

from __future__ import annotations

import os
from typing import Optional

import dagster as dg
from pydantic import Field


class PostgresResource(dg.ConfigurableResource):
    """The target database. Empty `database_url` means `DATABASE_URL`, else the embedded server."""

    database_url: Optional[str] = None

    def url(self) -> str:
        from pipelines.database import database_url

        return self.database_url or database_url()

    def connect(self, **kwargs):
        from pipelines.database import connect

        return connect(self.url(), **kwargs)

    def engine(self):
        from pipelines.database import engine

        return engine(self.url())


class ApplicationDatabase(PostgresResource):
    """One application's database (`<app>_db`): empty `database_url` means the application's own
    setting, resolved at run time through `pipelines.targets` (`<APP>_DATABASE_URL`, else
    `DATABASE_URL`, else the embedded server). Run config overrides it like `postgres`."""

    app: str

    def url(self) -> str:
        from pipelines.targets import database_url

        return self.database_url or database_url(self.app)


def db_key(app: str) -> str:
    """The resource key of an application's database."""
    return f"{app}_db"


def application_databases(database_url: Optional[str] = None) -> dict:
    """`<app>_db` for every application; `database_url` puts them all in one database (tests)."""
    from pipelines import registry

    return {db_key(app): ApplicationDatabase(app=app, database_url=database_url) for app in registry.APPLICATIONS}


class SourcesResource(dg.ConfigurableResource):
    """Where the sources are read from: a snapshot directory (SPEC §2.4) or, when unset, live.

    Decision (issue 16, Launchpad): the default is the environment's CUTOVER_SNAPSHOT_DIR, read at
    run time, rather than a default run config on the jobs, so the Launchpad's `{}` is already a
    snapshot dry-run wherever the variable is set (`make ui` sets it to the demo's sample) and the
    CLI's `--snapshot DIR` overrides it the same way the Launchpad's field does."""

    snapshot_dir: Optional[str] = Field(
        default=None,
        description="Directory of a source snapshot (`cutover snapshot` or `cutover sample`) to read instead of "
                    "the live sources; empty means CUTOVER_SNAPSHOT_DIR, and when that is unset too, the live sources.",
    )

    def snapshot(self) -> Optional[str]:
        return self.snapshot_dir or os.environ.get("CUTOVER_SNAPSHOT_DIR") or None


class RunSettingsResource(dg.ConfigurableResource):
    """Where a dry-run writes its report (default `reports/<run id>/`)."""

    report_dir: Optional[str] = None


def shared_resources() -> dict:
    from assets.cutover.locks import lock_resource

    return {
        **application_databases(),
        "sources": SourcesResource(),
        "run_settings": RunSettingsResource(),
        "cutover_lock": lock_resource(),
    }

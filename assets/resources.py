"""Resources shared by every phase. Values come from the environment, so the UI and the CLI agree;
the CLI overrides them per run through run config (e.g. `--snapshot DIR`)."""

from __future__ import annotations

import os
from typing import Optional

import dagster as dg


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


class SourcesResource(dg.ConfigurableResource):
    """Where the sources are read from: a snapshot directory (SPEC §2.4) or, when unset, live."""

    snapshot_dir: Optional[str] = None

    def snapshot(self) -> Optional[str]:
        return self.snapshot_dir or os.environ.get("CUTOVER_SNAPSHOT_DIR") or None


class RunSettingsResource(dg.ConfigurableResource):
    """Where a dry-run writes its report (default `reports/<run id>/`)."""

    report_dir: Optional[str] = None


def shared_resources() -> dict:
    return {
        "postgres": PostgresResource(),
        "sources": SourcesResource(),
        "run_settings": RunSettingsResource(),
    }

"""`GreatExpectationsResource`: dagster-ge does not support GX 1.x, so this small resource builds the
ephemeral GX context with a SQL datasource on the run's database and validates gates with it.

Decision: one context per process and database URL (creating the datasource and importing GX cost
seconds; every check step of a run reuses them). Suites, validation definitions and checkpoints
are re-registered per call, so a context never judges with a stale suite.
"""

from __future__ import annotations

import functools
import threading

import dagster as dg

_lock = threading.Lock()


@functools.cache
def _context(sqlalchemy_url: str):
    from expectations.runner import context

    return context(sqlalchemy_url)


class GreatExpectationsResource(dg.ConfigurableResource):
    """Runs gate suites with Great Expectations 1.x against PostgreSQL."""

    def validate(self, database_url: str, gates: list, parameters: dict | None = None):
        """(outcomes in gate order, GX validation results as JSON dicts)."""
        from expectations.runner import run_gates
        from pipelines.database import sqlalchemy_url

        with _lock:  # a GX context is not thread-safe; steps of one process take turns
            return run_gates(_context(sqlalchemy_url(database_url)), gates, parameters)

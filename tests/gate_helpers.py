"""Helpers for the gate tests: run one phase's gates with real GX against the test database."""

from __future__ import annotations

from expectations import runner
from pipelines.database import connect, sqlalchemy_url


def run_phase(url: str, phase: str, run_id: str = "test-run", snapshot_dir: str | None = None, app: str | None = None):
    from expectations.phase import phase_gates

    with connect(url, autocommit=True) as conn:
        gates, parameters = phase_gates(phase, conn, run_id, snapshot_dir, app)
    outcomes, documents = runner.run_gates(runner.context(sqlalchemy_url(url)), gates, parameters)
    return outcomes


def failures(outcomes, severity: str = "error") -> list:
    return [o for o in outcomes if not o.passed and o.gate.severity == severity]


def messages(outcomes, severity: str = "error") -> list[str]:
    return [o.message for o in failures(outcomes, severity)]


def ledger(url: str, run_id: str, source: str, counts: dict[str, int]) -> None:
    with connect(url, autocommit=True) as conn:
        for table, n in counts.items():
            conn.execute(
                "insert into migration.count_ledger (run_id, source, source_table, source_count, landed) values (%s, %s, %s, %s, %s)"
                " on conflict (run_id, source, source_table) do update set source_count = excluded.source_count",
                (run_id, source, table, n, n),
            )

"""Which gates a phase runs in a given database and run, and where their results go.

Results go to migration.gate_results (one row per gate per run; a re-executed check deletes its
own rows first); the Dagster checks (assets/gates/checks.py) also serialize them for Data Docs.

The one land gate: the Great Expectations land suite (`expectations/land.py`). Inside Dagster it
is the blocking asset check on the raw assets (`cutover land`, `cutover dry-run`, the UI). Outside
Dagster (tests, scripts) `pipelines.land.land()` only lands and records the count ledger, because
sources must not import gates; a caller that wants the gate then calls `land_gate()` here, which
runs the same suite and records the same rows.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from pipelines import registry
from pipelines.masking import mask_text


def existing_tables(conn) -> set[str]:
    """The project's tables in `conn`'s database (an application's: the gate's connection)."""
    from pipelines.live import raw_schema
    from pipelines.targets import OWN_SCHEMAS

    schemas = list(OWN_SCHEMAS) + [f"{app}_next" for app in registry.APPLICATIONS] + [raw_schema(app) for app in registry.APPLICATIONS]
    rows = conn.execute(
        """
        select n.nspname || '.' || c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace
         where c.relkind in ('r', 'p', 'v', 'm') and n.nspname = any(%s)
        """,
        (schemas,),
    ).fetchall()
    return {r[0] for r in rows}


def airtable_schema(snapshot_dir: str | None) -> dict | None:
    """The Airtable base schema: schema.json of the snapshot, else (live) the meta API when
    configured; None when there is none (then a mapped field is checked against the records)."""
    from expectations.land import load_airtable_schema

    if snapshot_dir and (Path(snapshot_dir) / "airtable").is_dir():
        return load_airtable_schema(snapshot_dir)
    if not os.environ.get("AIRTABLE_API_KEY"):
        return None
    try:
        from pipelines.airtable.source import fetch_schema

        return fetch_schema(None)
    except Exception:  # a base without schema access: fall back to the records (a warning)
        return None


def phase_gates(phase: str, conn, run_id: str, snapshot_dir: str | None = None, application: str | None = None) -> tuple[list, dict]:
    """(gates, GX runtime parameters) of `phase` for this database and run."""
    from expectations import land, reconcile, transform

    tables = existing_tables(conn)
    apps = (application,) if application else tuple(registry.APPLICATIONS)
    if phase == "land":
        gates = land.land_gates(tables, airtable_schema(snapshot_dir) if "podium" in apps else None)
        return [g for g in gates if g.application in apps], land.source_counts(conn, run_id)
    if phase == "transform":
        return transform.transform_gates(conn, apps), {}
    if phase == "reconcile":
        return reconcile.reconcile_gates(run_id, tables, apps), {}
    raise ValueError(f"unknown phase {phase}")


def record(conn, run_id: str, outcomes: list) -> None:
    if not outcomes:
        return
    with conn.cursor() as cur:
        # the same rule name exists per application and phase (both reconcile checks judge
        # "quarantine under its ceiling"): a rerun replaces only its own rows
        keys = sorted({(o.gate.phase, o.gate.application, o.gate.name) for o in outcomes})
        cur.execute(
            "delete from migration.gate_results where run_id = %s and (phase, application, name) in "
            "(select * from unnest(%s::text[], %s::text[], %s::text[]))",
            (run_id, [k[0] for k in keys], [k[1] for k in keys], [k[2] for k in keys]),
        )
        cur.executemany(
            """
            insert into migration.gate_results (run_id, phase, application, name, severity, passed, failed_count, message, examples)
            values (%s, %s, %s, %s, %s, %s, %s, %s, %s::jsonb)
            """,
            [
                (run_id, o.gate.phase, o.gate.application, o.gate.name, o.gate.severity, o.passed, o.failed_count,
                 mask_text(o.message), json.dumps([mask_text(e) for e in o.examples]))
                for o in outcomes
            ],
        )


def land_gate(url: str | None, run_id: str, snapshot_dir: str | None = None, sources=None) -> list:
    """Run the land suite on the raw tables of `sources` (default: all), record its rows for
    `run_id`, and raise GateFailed naming the failed rules when an error rule failed."""
    from expectations import runner
    from pipelines.database import connect, sqlalchemy_url
    from pipelines.errors import GateFailed

    sources = tuple(sources or registry.SOURCES)
    apps = {registry.application_of(s) for s in sources}
    with connect(url, autocommit=True) as conn:
        # one application: the other's schema (Airtable's meta API) is not fetched
        gates, parameters = phase_gates("land", conn, run_id, snapshot_dir, apps.pop() if len(apps) == 1 else None)
        gates = [g for g in gates if g.table.split(".")[0].removeprefix("raw_") in sources]
        outcomes, _documents = runner.run_gates(runner.context(sqlalchemy_url(url)), gates, parameters)
        record(conn, run_id, outcomes)
    failed = [o.message for o in outcomes if not o.passed and o.gate.severity == "error"]
    if failed:
        more = f" (and {len(failed) - 3} more)" if len(failed) > 3 else ""
        raise GateFailed(f"land gate failed for {', '.join(sources)}: " + "; ".join(failed[:3]) + more)
    return outcomes

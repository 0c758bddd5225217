"""`cutover demo`: sample + migrations + dry-run on the embedded PostgreSQL, then where to look.

It goes as far as the pipeline goes: each step is the same command an operator would run. Before
the dry-run it writes the sample's rows already live (live/<app>.json: Hello Miami's application
writes profiles and events itself, SPEC §4) into the application's live tables, so the report shows
the live hop and the live_source conflicts; rows already there are left as they are.
"""

from __future__ import annotations

import argparse
import importlib
import json
from pathlib import Path

from pipelines import settings

SEED_LIVE = Path(__file__).with_name("seed_live.sql")


def seed_live(sample_dir: str) -> dict[str, int]:
    """The sample's rows already live into each application's live tables: `<app>.<table>` -> rows
    inserted (a row whose id or natural key is there already is skipped)."""
    from psycopg import sql

    from pipelines import targets
    from pipelines.database import connect

    inserted: dict[str, int] = {}
    for path in sorted(Path(sample_dir, "live").glob("*.json")):
        target = targets.target(path.stem)
        with connect(target.url) as conn:
            for table, rows in json.loads(path.read_text()).items():
                columns = sql.SQL(", ").join(sql.Identifier(c) for c in dict.fromkeys(k for row in rows for k in row))
                query = sql.SQL(SEED_LIVE.read_text()).format(
                    table=sql.Identifier(target.schema, table), columns=columns)
                inserted[f"{target.app}.{table}"] = conn.execute(query, {"rows": json.dumps(rows)}).rowcount
            conn.commit()
    return inserted


def _phase(module_name: str):
    try:
        return importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name and module_name.startswith(exc.name):
            return None
        raise


def run(args) -> int:
    import migrations
    from pipelines.database import check_server, database_url, redact

    url = database_url()
    check_server(url)  # before the sample: a server that will not do is said at once
    out = args.out or str(settings.home() / "sample")
    scale = getattr(args, "scale", 1.0)
    importlib.import_module("tests.sample.command").run(argparse.Namespace(out=out, scale=scale, seed=42))

    migrations.upgrade(url)
    print(f"database: {redact(url)} (migrated to head)")
    for table, n in seed_live(out).items():
        print(f"{table}: {n} row(s) written as the application would have (rows already live)")

    dry_run = _phase("assets.gates.commands")
    if dry_run is not None:
        status = dry_run.run(argparse.Namespace(snapshot=out, report_dir=None, verbose=False))
        print("next: `make ui` to browse the assets and runs in Dagster.")
        return status
    land = _phase("assets.land.commands")
    if land is not None:
        status = land.run(argparse.Namespace(snapshot=out, verbose=False))
        print("the dry-run phase is not built yet: the raw schemas hold the landed sample.")
        return status
    print(f"sample written to {out}; later phases are not built yet.")
    return 0

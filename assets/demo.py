"""`cutover demo`: sample + migrations + dry-run on the embedded PostgreSQL, then where to look.

It goes as far as the pipeline goes: each step is the same command an operator would run.
"""

from __future__ import annotations

import argparse
import importlib

from pipelines import settings


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

"""Capture the live Airtable base into `<out>/airtable/` (SPEC §2.4): one `<table>.jsonl` per table,
one API record per line, and `schema.json` as the meta API returns it."""

from __future__ import annotations

import json
from pathlib import Path

from pipelines.airtable import TABLES
from pipelines.airtable.client import base_id, fetch_schema, iterate_pages, make_api


def check() -> None:
    """Raises MissingSetting when a setting the capture needs is not set (before anything is read)."""
    make_api()


def write(out_dir: str) -> dict[str, int]:
    """Write the snapshot files; returns {table: records written} for the manifest."""
    folder = Path(out_dir) / "airtable"
    folder.mkdir(parents=True, exist_ok=True)
    api, base = make_api(), base_id()
    (folder / "schema.json").write_text(json.dumps(fetch_schema(api, base), indent=1) + "\n")
    counts: dict[str, int] = {}
    for table in TABLES:
        path = folder / f"{table}.jsonl"
        partial = path.with_suffix(".jsonl.partial")
        written = 0
        with partial.open("w") as handle:
            for page in iterate_pages(api, base, table):
                for record in page:
                    handle.write(json.dumps({"id": record["id"], "createdTime": record.get("createdTime"), "fields": record.get("fields") or {}}) + "\n")
                written += len(page)
        partial.replace(path)  # a failed capture never leaves a half-written table file behind
        counts[table] = written
    return counts

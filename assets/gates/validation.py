"""Where a run's serialized gate results go: `<report dir>/gx_results/`, for the run's Data Docs.
Which gates a phase runs, and their rows in migration.gate_results, are the gate layer's
(`expectations/phase.py`).
"""

from __future__ import annotations

import json
import os
from pathlib import Path


def report_dir(run_id: str, configured: str | None = None) -> Path:
    base = Path(configured) if configured else Path(os.environ.get("CUTOVER_REPORTS_DIR", "reports")) / run_id
    return base.resolve()


def save_documents(directory: Path, name: str, documents: list[dict]) -> None:
    target = directory / "gx_results"
    target.mkdir(parents=True, exist_ok=True)
    (target / f"{name}.json").write_text(json.dumps(documents, default=str))


def load_documents(directory: Path) -> list[dict]:
    documents: list[dict] = []
    for path in sorted((directory / "gx_results").glob("*.json")):
        documents.extend(json.loads(path.read_text()))
    return documents

"""The oracle: recompute expected.json's numbers from a written snapshot, by COMMON.md's rules.

`compute(snapshot_dir)` returns the same shape as expected.json (targets, classification,
quarantine_reasons, merge_rules, value_fixes, conflicts) plus `observed`: dirt seen in the files.
It is independent of the generator's bookkeeping; tests assert both agree.
"""

from __future__ import annotations

import json
from pathlib import Path

from .oracle_hello_miami import hello_miami
from .oracle_podium import Result, podium


def compute(snapshot: str | Path) -> dict:
    snapshot = Path(snapshot)
    r = Result()
    podium(snapshot, r)
    hello_miami(snapshot, r)
    counts = json.loads((snapshot / "manifest.json").read_text())["counts"]
    classification = {}
    for table in sorted(r.fates):
        f = r.fates[table]
        classification[table] = {"source": counts.get(table, sum(f.values())), "migrated": f["migrated"],
                                 "merged": f["merged"], "quarantined": f["quarantined"]}
    return {
        "targets": dict(sorted(r.targets.items())),
        "classification": classification,
        "quarantine_reasons": {k: dict(sorted(v.items())) for k, v in sorted(r.reasons.items()) if v},
        "merge_rules": {k: dict(sorted(v.items())) for k, v in sorted(r.merges.items()) if v},
        "value_fixes": {k: dict(sorted(v.items())) for k, v in sorted(r.fixes.items()) if v},
        "conflicts": dict(sorted((k, v) for k, v in r.conflicts.items() if v)),
        "observed": dict(sorted(r.observed.items())),
    }

"""Snapshot directories (SPEC §2.4): the manifest, and capturing the live sources into one.

manifest.json = {"captured_at": ISO-8601, "counts": {"<source>.<table>": n, ...}}: the counts the
sources themselves reported at capture time, the first hop of the count ledger.
"""

from __future__ import annotations

import importlib
import importlib.util
import json
from datetime import datetime, timezone
from pathlib import Path

from pipelines import registry
from pipelines.errors import CutoverError

SOURCES = tuple(registry.SOURCES)


def read_manifest(snapshot_dir: str | Path) -> dict:
    path = Path(snapshot_dir) / "manifest.json"
    if not path.is_file():
        return {}
    try:
        manifest = json.loads(path.read_text())
    except ValueError as exc:
        raise CutoverError(f"{path} is not valid JSON ({exc}); rewrite the snapshot.") from None
    if not isinstance(manifest, dict) or not isinstance(manifest.get("counts", {}), dict):
        raise CutoverError(f"{path} must be an object with \"captured_at\" and \"counts\"; rewrite the snapshot.")
    return manifest


def manifest_counts(snapshot_dir: str | Path, source: str) -> dict[str, int]:
    """{table: count} of one source from the manifest (tables like `events.attendees` kept whole);
    empty without a manifest. A count that is not a whole number is one sentence naming the key."""
    prefix = f"{source}."
    return {key[len(prefix):]: value for key, value in all_counts(snapshot_dir).items() if key.startswith(prefix)}


def all_counts(snapshot_dir: str | Path) -> dict[str, int]:
    """Every count of the manifest, checked: the land step calls it before anything lands."""
    counts = {}
    for key, value in read_manifest(snapshot_dir).get("counts", {}).items():
        if isinstance(value, bool) or not (isinstance(value, int) or (isinstance(value, str) and value.strip().isdigit())):
            raise CutoverError(f"{Path(snapshot_dir) / 'manifest.json'}: counts[{key!r}] is {json.dumps(value)}, not a whole "
                               "number of records; fix it in manifest.json or capture the snapshot again.")
        counts[key] = int(value)
    return counts


def missing_manifest(snapshot_dir: str | Path | None) -> str | None:
    """The warning for a snapshot without manifest.json (accepted: its counts are then the files' own)."""
    if not snapshot_dir or (Path(snapshot_dir) / "manifest.json").is_file():
        return None
    return (f"{Path(snapshot_dir) / 'manifest.json'} is missing: the count ledger's first hop (what each source "
            "holds) was counted from the snapshot's files themselves, so a file cut short goes unnoticed; "
            "capture snapshots with `cutover snapshot`, which writes the sources' own counts.")


def captured_at(snapshot_dir: str | Path | None) -> str | None:
    """The manifest's capture time (None without a snapshot or manifest)."""
    if not snapshot_dir:
        return None
    value = read_manifest(snapshot_dir).get("captured_at")
    if value is not None:
        try:
            datetime.fromisoformat(str(value).replace("Z", "+00:00"))
        except ValueError:
            raise CutoverError(f"{Path(snapshot_dir) / 'manifest.json'}: captured_at {value!r} is not ISO-8601.") from None
    return value


def write_manifest(out_dir: str | Path, counts: dict[str, int], captured: str) -> Path:
    path = Path(out_dir) / "manifest.json"
    path.write_text(json.dumps({"captured_at": captured, "counts": dict(sorted(counts.items()))}, indent=2) + "\n")
    return path


def _writer(source: str):
    """`pipelines.<source>.snapshot.write`, or None where that source has no snapshot writer."""
    if importlib.util.find_spec(f"pipelines.{source}") is None:
        return None
    if importlib.util.find_spec(f"pipelines.{source}.snapshot") is None:
        return None
    return importlib.import_module(f"pipelines.{source}.snapshot").write


def capture(out_dir: str | Path) -> dict:
    """Capture every live source into `out_dir` in the §2.4 layout; returns the manifest.

    Each writer returns {table: count it wrote}; the capture time is taken before the first read,
    so records changed during the capture are at least as new as captured_at says.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    captured = datetime.now(timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")
    counts: dict[str, int] = {}
    for source in SOURCES:
        write = _writer(source)
        if write is None:
            continue
        written = write(str(out)) or {}
        counts.update({f"{source}.{table}": int(n) for table, n in written.items()})
    write_manifest(out, counts, captured)
    return {"captured_at": captured, "counts": counts}

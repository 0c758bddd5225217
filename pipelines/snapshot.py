"""Snapshot directories (SPEC §2.4): the manifest, and capturing the live sources into one.

manifest.json = {"captured_at": ISO-8601, "applications": [...], "counts": {"<source>.<table>": n, ...}}:
the counts the sources themselves reported at capture time, the first hop of the count ledger, and
the applications whose sources the snapshot holds (`cutover snapshot --app` captures one).
"""

from __future__ import annotations

import importlib
import importlib.util
import json
from datetime import datetime, timezone
from pathlib import Path

from pipelines import registry
from pipelines.errors import CutoverError
from pipelines.settings import MissingSetting

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


def write_manifest(out_dir: str | Path, counts: dict[str, int], captured: str, apps: list[str] | None = None) -> Path:
    """manifest.json; `apps`: the applications the snapshot covers (omitted: not said)."""
    path = Path(out_dir) / "manifest.json"
    manifest = {"captured_at": captured, **({"applications": list(apps)} if apps else {}), "counts": dict(sorted(counts.items()))}
    path.write_text(json.dumps(manifest, indent=2) + "\n")
    return path


def _module(source: str):
    """`pipelines.<source>.snapshot` (its `check` and `write`), or None where that source has none."""
    if importlib.util.find_spec(f"pipelines.{source}") is None:
        return None
    if importlib.util.find_spec(f"pipelines.{source}.snapshot") is None:
        return None
    return importlib.import_module(f"pipelines.{source}.snapshot")


def capture(out_dir: str | Path, apps: list[str] | None = None, options: dict[str, dict] | None = None) -> dict:
    """Capture the live sources of `apps` (default every application) into `out_dir` in the §2.4
    layout; returns the manifest. `options`: keyword arguments per source's writer (tests inject
    clients there).

    Every source's settings are checked before anything is read, so a missing one leaves the
    directory as it was. Each writer returns {table: count it wrote}; the capture time is taken
    before the first read, so records changed during the capture are at least as new as captured_at
    says. The manifest counts exactly what the directory holds, and names the applications it
    covers: a directory already holding another application's part is refused rather than counted
    (or left uncounted) beside this capture.
    """
    apps = list(apps or registry.APPLICATIONS)
    options = options or {}
    out = Path(out_dir)
    foreign = [s for s in SOURCES if registry.application_of(s) not in apps and (out / s).exists()]
    if foreign:
        raise CutoverError(f"{out} already holds {foreign[0]}/, {registry.title(registry.application_of(foreign[0]))}'s "
                           "part of another snapshot: capture into an empty directory (--out).")
    modules = {s: m for s in SOURCES if registry.application_of(s) in apps and (m := _module(s)) is not None}
    try:
        for source, mod in modules.items():
            mod.check(**options.get(source, {}))
    except MissingSetting as exc:
        raise exc.within(covering=apps, capturing=True) from None
    out.mkdir(parents=True, exist_ok=True)
    captured = datetime.now(timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")
    counts: dict[str, int] = {}
    for source, mod in modules.items():
        written = mod.write(str(out), **options.get(source, {})) or {}
        counts.update({f"{source}.{table}": int(n) for table, n in written.items()})
    write_manifest(out, counts, captured, apps)
    return {"captured_at": captured, "applications": apps, "counts": counts}


"""Streaming reader for snapshot `.jsonl` files: one JSON object per line, read in batches so that
memory stays bounded whatever the file's size, with every error naming the file and line.

Parsing happens during dlt's extract step, before anything is loaded: a malformed line stops the run
while the raw tables still hold the previous landing (replace happens only at load).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from pipelines.errors import CutoverError

BATCH_ROWS = 20_000


def iter_objects(path: Path) -> Iterator[tuple[int, dict]]:
    """(line number, object) for every non-blank line of `path`."""
    for lineno, _, obj in iter_lines(path):
        yield lineno, obj


def iter_lines(path: Path) -> Iterator[tuple[int, bytes, dict]]:
    """(line number, the line's bytes, object) for every non-blank line of `path`."""
    if not path.is_file():
        raise CutoverError(f"snapshot file {path} is missing: rewrite the snapshot with `cutover snapshot` or `cutover sample`.")
    with path.open("rb") as handle:
        for lineno, line in enumerate(handle, start=1):
            obj = parse_line(path, lineno, line)
            if obj is not None:
                yield lineno, line, obj


def parse_line(path: Path, lineno: int, line: bytes) -> dict | None:
    """The object on line `lineno` of `path` (None for a blank line); anything else is one sentence
    naming the file and line."""
    import orjson

    if not line.strip():
        return None
    try:
        obj = orjson.loads(line)
    except orjson.JSONDecodeError as exc:
        raise CutoverError(f"{path}:{lineno}: malformed JSON ({exc}); fix or remove that line and rerun.") from None
    if not isinstance(obj, dict):
        raise CutoverError(f"{path}:{lineno}: expected a JSON object, found {type(obj).__name__}; fix that line and rerun.")
    return obj


def batched(items: Iterator, size: int = BATCH_ROWS) -> Iterator[list]:
    batch: list = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def count_lines(path: Path) -> int:
    """Non-blank lines of `path` (what a snapshot without a manifest count holds)."""
    with path.open("rb") as handle:
        return sum(1 for line in handle if line.strip())

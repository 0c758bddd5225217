"""The dlt source for Podium's Airtable base, live (pyairtable) or from a snapshot (SPEC §2.4).

Raw columns (README raw layer contract): `id` (record id, primary key), `created_time` (timestamptz)
and `fields` (jsonb: the record's whole `fields` object). The source sets max_table_nesting=0 and
gives `fields` the json type so dlt never unnests link arrays into child tables.

Live, the five tables are listed concurrently (dlt's parallelized resources): each table's pages
still follow one another (an offset names the next page), but the tables share the base's limiter,
so the listing runs at the limiter's pace rather than one round trip per page.

Records travel as Arrow tables (the `fields` object already serialised to JSON text), which dlt
writes to CSV and loads with COPY: no per-row normalisation in Python. Write disposition replace:
each run mirrors the base as it is now; see pipelines/land.py for why a rerun never duplicates.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import dlt

from pipelines.airtable import TABLES
from pipelines.errors import CutoverError
from pipelines.land_jsonl import BATCH_ROWS, batched, count_lines, iter_lines, parse_line

COLUMNS = {
    "id": {"data_type": "text", "nullable": False, "primary_key": True},
    "created_time": {"data_type": "timestamp", "timezone": True, "nullable": True},
    "fields": {"data_type": "json", "nullable": True},
    "_dlt_id": {"data_type": "text", "nullable": False},
}

# Live listings report what they returned here (table -> records), for the count ledger.
LISTED: dict[str, int] = {}


def snapshot_path(snapshot_dir: str | Path, table: str) -> Path:
    return Path(snapshot_dir) / "airtable" / f"{table}.jsonl"


def has_snapshot(snapshot_dir: str | None) -> bool:
    return bool(snapshot_dir) and (Path(snapshot_dir) / "airtable").is_dir()


def _fields_text(line: bytes, record: dict, record_id: str, created) -> bytes | None:
    """The `fields` object's JSON text sliced from the line, when that is certain to be exact.

    Airtable (and our snapshot writers) emit keys in the order id, createdTime, fields. An unescaped
    `"fields"` cannot occur inside a JSON string, so with only id/createdTime before it (neither equal
    to "fields") the first `"fields"` in the line is the key, and as the last key its value runs to
    the line's final `}`. This saves re-serialising every record; any other shape falls back.
    """
    keys = list(record)
    if keys[-1] != "fields" or not set(keys[:-1]) <= {"id", "createdTime"} or "fields" in (record_id, created):
        return None
    start = line.find(b'"fields"')
    colon = line.find(b":", start + 8)
    end = line.rfind(b"}")
    text = line[colon + 1:end].strip()
    return text if text[:1] == b"{" and text[-1:] == b"}" else None


def _validated(path: Path, lineno: int, record: dict) -> tuple[str, str | None, dict]:
    record_id = record.get("id")
    fields = record.get("fields", {})
    created = record.get("createdTime")
    if not isinstance(record_id, str) or not record_id:
        raise CutoverError(f"{path}:{lineno}: the record has no string \"id\"; fix that line and rerun.")
    if not isinstance(fields, dict):
        raise CutoverError(f"{path}:{lineno}: \"fields\" of record {record_id} is not an object; fix that line and rerun.")
    if created is not None and not isinstance(created, str):
        raise CutoverError(f"{path}:{lineno}: \"createdTime\" of record {record_id} is not an ISO-8601 string; fix that line and rerun.")
    return record_id, created, fields


def to_arrow(rows: list[tuple[str, str | None, dict]], where=None):
    """An Arrow table (id, created_time, fields-as-JSON-text) from validated records."""
    import orjson
    import pyarrow as pa

    ids = [row[0] for row in rows]
    created_text = pa.array([row[1] for row in rows], pa.string())
    try:
        created = created_text.cast(pa.timestamp("us", tz="UTC"))
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        for index, value in enumerate(created_text.to_pylist()):
            try:
                pa.array([value], pa.string()).cast(pa.timestamp("us", tz="UTC"))
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
                place = where(index) if where else f"record {ids[index]}"
                raise CutoverError(f"{place}: createdTime {value!r} is not an ISO-8601 timestamp; fix it and rerun.") from None
        raise
    fields = [row[2] if isinstance(row[2], bytes) else orjson.dumps(row[2]) for row in rows]
    id_array = pa.array(ids, pa.string())
    return pa.table({"id": id_array, "created_time": created, "fields": pa.array(fields, pa.string()), "_dlt_id": id_array})


def _snapshot_batches(path: Path, batch_rows: int, fast: bool = True) -> Iterator:
    """Arrow batches of a snapshot table. fast: canonical lines are sliced, not parsed (blocks of
    them at once, see fast_blocks.py; a block with another line goes line by line, fast_lines.py);
    safe (fast=False): every line parsed by orjson, errors named by file:line."""
    yielded = False
    for batch in _fast_tables(path, batch_rows) if fast and path.is_file() else _line_tables(path, _safe_rows(path), batch_rows):
        yield batch
        yielded = True
    if not yielded:
        yield to_arrow([])  # an empty table still replaces (and creates) its raw table


def _fast_tables(path: Path, batch_rows: int) -> Iterator:
    from pipelines.airtable.fast_blocks import blocks, table

    for first_line, block in blocks(path):
        arrow = table(block)
        if arrow is None:
            lines = enumerate(block.split(b"\n")[:-1], start=first_line)
            yield from _line_tables(path, _fast_rows(path, lines), batch_rows)
        else:
            yield arrow


def _line_tables(path: Path, rows: Iterator[tuple], batch_rows: int) -> Iterator:
    for batch in batched(rows, batch_rows):
        linenos = [row[3] for row in batch]
        yield to_arrow(batch, where=lambda index: f"{path}:{linenos[index]}")


def _safe_rows(path: Path) -> Iterator[tuple]:
    for lineno, line, record in iter_lines(path):
        yield _row(path, lineno, line, record)


def _fast_rows(path: Path, lines: Iterator[tuple[int, bytes]]) -> Iterator[tuple]:
    """Rows of numbered lines: sliced when canonical (fast_lines.split), else parsed."""
    from pipelines.airtable.fast_lines import split

    for lineno, line in lines:
        parts = split(line)
        if parts is not None:
            yield parts[0], parts[1], parts[2], lineno
        elif (record := parse_line(path, lineno, line)) is not None:
            yield _row(path, lineno, line, record)


def _row(path: Path, lineno: int, line: bytes, record: dict) -> tuple:
    """(id, createdTime, fields text or object, line number) of a parsed record."""
    record_id, created, fields = _validated(path, lineno, record)
    return record_id, created, _fields_text(line, record, record_id, created) or fields, lineno


def _live_batches(table: str, batch_rows: int = 2_000) -> Iterator:
    from pipelines.airtable.client import base_id, iterate_pages, make_api

    api = make_api()
    base = base_id()
    listed = 0
    pending: list = []
    for page in iterate_pages(api, base, table):
        pending.extend((r["id"], r.get("createdTime"), r.get("fields") or {}, None) for r in page)
        listed += len(page)
        if len(pending) >= batch_rows:
            yield to_arrow(pending)
            pending = []
    if pending or not listed:
        yield to_arrow(pending)
    LISTED[table] = listed


# reloaded whole each run; pipelines/land.py commits every table of the source at once
WRITE_DISPOSITION = "replace"


@dlt.source(name="airtable", max_table_nesting=0)
def airtable_source(snapshot_dir: str | None = None, batch_rows: int = BATCH_ROWS, tables: tuple[str, ...] = TABLES,
                    safe: bool = False):
    """One resource per Airtable table; `snapshot_dir` with an `airtable/` folder reads from there.
    safe=True parses every snapshot line (the rerun after COPY rejected a fast-path slice)."""
    from_snapshot = has_snapshot(snapshot_dir)
    for table in tables:
        if from_snapshot:
            data = _snapshot_batches(snapshot_path(snapshot_dir, table), batch_rows, fast=not safe)
        else:
            data = _live_batches(table)
        yield dlt.resource(
            data,
            name=table,
            table_name=table,
            primary_key="id",
            write_disposition=WRITE_DISPOSITION,
            columns=COLUMNS,
            max_table_nesting=0,
            # live: the tables are listed at the same time (dlt's extract pool, 5 threads by
            # default, one per table), all through the base's one limiter (client.limiter_for)
            parallelized=not from_snapshot,
        )


def source_counts(snapshot_dir: str | None) -> dict[str, int]:
    """What the source reports per table: the manifest's counts in snapshot mode (else the file's
    lines), or what the last live listing in this process returned."""
    if has_snapshot(snapshot_dir):
        from pipelines.snapshot import manifest_counts

        counts = manifest_counts(snapshot_dir, "airtable")
        return {t: counts[t] if t in counts else count_lines(snapshot_path(snapshot_dir, t)) for t in TABLES}
    return dict(LISTED)


def fetch_schema(snapshot_dir: str | None) -> dict | None:
    """The base schema: `airtable/schema.json` of a snapshot (None when absent), or the meta API."""
    import json

    if has_snapshot(snapshot_dir):
        path = Path(snapshot_dir) / "airtable" / "schema.json"
        if not path.is_file():
            return None
        try:
            return json.loads(path.read_text())
        except ValueError as exc:
            raise CutoverError(f"{path} is not valid JSON ({exc}); rewrite it with `cutover snapshot`.") from None
    from pipelines.airtable.client import base_id
    from pipelines.airtable.client import fetch_schema as fetch_live
    from pipelines.airtable.client import make_api

    return fetch_live(make_api(), base_id())

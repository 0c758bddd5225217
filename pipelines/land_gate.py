"""The land gate (SPEC §5): landed counts equal the source's counts, ids unique and non-null, every
field the mapping reads exists in the source's schema.

Every check writes one row to migration.gate_results (phase 'land'); a re-executed step first
deletes its own run's rows for that source. Failed error rows raise GateFailed after recording, so
the report can say which table, which rule, how many records.

Schema contract: Airtable's base schema (meta API live, `airtable/schema.json` in a snapshot)
decides hard: a mapped field it lacks is an error naming the field. Without a schema, and for
MongoDB and Luma (schemaless), a mapped field that no landed record holds is only a warning,
because Airtable and JSON documents omit empty fields.
"""

from __future__ import annotations

import importlib
import json

from pipelines.errors import GateFailed

RECORD_COLUMN = {"airtable": "fields", "mongo": "document", "luma": "record"}
KEYS = {"airtable": {"*": ["id"]}, "mongo": {"*": ["_id"]}, "luma": {"events": ["api_id"], "guests": ["event_api_id", "api_id"]}}
APPLICATION = {"airtable": "podium", "mongo": "hello_miami", "luma": "hello_miami"}


def _mapped_fields(source: str) -> dict[str, list[str]]:
    for name in (f"pipelines.{source}.source", f"pipelines.{source}"):
        try:
            mapped = getattr(importlib.import_module(name), "MAPPED_FIELDS", None)
        except ModuleNotFoundError:
            mapped = None
        if mapped is not None:
            return mapped
    return {}


def _table_exists(conn, source: str, table: str) -> bool:
    return conn.execute("select to_regclass(%s)", (f'raw_{source}."{table}"',)).fetchone()[0] is not None


def _fields_in_no_record(conn, source: str, table: str, fields: list[str]) -> list[str]:
    """Mapped fields that no landed record holds (for Luma also inside the wrapped entry)."""
    if not _table_exists(conn, source, table):
        return list(fields)
    column = RECORD_COLUMN[source]
    holders = [f"r.{column} ? f.name"]
    if source == "luma":
        holders += [f"r.{column}->'event' ? f.name", f"r.{column}->'guest' ? f.name"]
    rows = conn.execute(
        f"""
        select f.name from unnest(%s::text[]) as f(name)
         where not exists (select 1 from raw_{source}."{table}" r where {' or '.join(holders)})
         order by f.name
        """,
        (list(fields),),
    ).fetchall()
    return [row[0] for row in rows]


def _schema_fields(schema: dict, table: str) -> set[str] | None:
    from pipelines.airtable.client import table_name

    wanted = {table, table_name(table)}
    for entry in schema.get("tables", []):
        if entry.get("name") in wanted or entry.get("id") in wanted:
            return {field.get("name") for field in entry.get("fields", [])}
    return None


def field_contract(conn, snapshot_dir: str | None, sources=None, airtable_schema: dict | None | bool = False) -> list[tuple]:
    """(source, table, field, severity, message) for every mapped field the source does not show.

    `airtable_schema=False` means "fetch it" (snapshot schema.json or the meta API)."""
    from pipelines import land

    problems: list[tuple] = []
    for source in sources or [s for s in land.SOURCES if land.available(s)]:
        mapped = _mapped_fields(source)
        schema = None
        if source == "airtable":
            if airtable_schema is False:
                from pipelines.airtable.source import fetch_schema

                schema = fetch_schema(snapshot_dir)
            else:
                schema = airtable_schema
        for table, fields in sorted(mapped.items()):
            if schema is not None:
                known = _schema_fields(schema, table)
                where = "airtable/schema.json" if snapshot_dir else "the base schema (meta API)"
                if known is None:
                    problems.append((source, table, "*", "error", f"table {table} is missing from {where}"))
                    continue
                for field in fields:
                    if field not in known:
                        problems.append((source, table, field, "error",
                                         f"field {field} of {source}.{table} is read by the mapping but missing from {where}"))
                continue
            for field in _fields_in_no_record(conn, source, table, fields):
                problems.append((source, table, field, "warning",
                                 f"field {field} of {source}.{table} is read by the mapping but occurs in no landed record"))
    return problems


def _duplicate_or_null_keys(conn, source: str, table: str) -> tuple[int, list]:
    if not _table_exists(conn, source, table):
        return 0, []
    keys = KEYS[source].get(table, KEYS[source].get("*"))
    cols = ", ".join(f'"{k}"' for k in keys)
    nulls = " or ".join(f'"{k}" is null' for k in keys)
    rows = conn.execute(
        f"""
        with key_counts as (
            select {cols}, count(*) as copies from raw_{source}."{table}" group by {cols}
        )
        select {cols}, copies from key_counts where copies > 1 or {nulls}
        """
    ).fetchall()
    return len(rows), [list(map(str, row)) for row in rows[:5]]


def record_land_gate(conn, run_id: str, source: str, snapshot_dir: str | None, reported: dict, landed: dict) -> None:
    """Write the land gate rows of `source` for `run_id`; raise GateFailed if an error row failed."""
    app = APPLICATION[source]
    conn.execute("delete from migration.gate_results where run_id = %s and phase = 'land' and name like %s", (run_id, f"{source}.%"))
    rows = []
    for table in sorted(set(reported) | set(landed)):
        expected, got = reported.get(table), landed.get(table)
        ok = expected is not None and expected == got
        rows.append((f"{source}.{table}: landed count equals source count", "error", ok, 0 if ok else abs((expected or 0) - (got or 0)),
                     f"{source}.{table}: source reported {expected}, landed {got}", [{"source_count": expected, "landed": got}]))
        bad, examples = _duplicate_or_null_keys(conn, source, table)
        rows.append((f"{source}.{table}: ids unique and non-null", "error", bad == 0, bad,
                     f"{source}.{table}: {bad} duplicate or null ids" if bad else f"{source}.{table}: ids unique and non-null", examples))
    problems = field_contract(conn, snapshot_dir, [source])
    by_table: dict[tuple, list] = {}
    for _, table, field, severity, message in problems:
        by_table.setdefault((table, severity), []).append((field, message))
    for table in sorted(_mapped_fields(source)):
        found = False
        for severity in ("error", "warning"):
            missing = by_table.get((table, severity))
            if missing:
                found = True
                rows.append((f"{source}.{table}: mapped fields exist", severity, False, len(missing),
                             "; ".join(message for _, message in missing), [field for field, _ in missing]))
        if not found:
            rows.append((f"{source}.{table}: mapped fields exist", "error", True, 0, f"{source}.{table}: every mapped field exists", []))
    with conn.cursor() as cur:
        cur.executemany(
            """
            insert into migration.gate_results (run_id, phase, application, name, severity, passed, failed_count, message, examples)
            values (%s, 'land', %s, %s, %s, %s, %s, %s, %s::jsonb)
            """,
            [(run_id, app, name, sev, ok, count, msg, json.dumps(ex)) for name, sev, ok, count, msg, ex in rows],
        )
    failures = [msg for _, sev, ok, _, msg, _ in rows if sev == "error" and not ok]
    if failures:
        conn.commit()
        raise GateFailed(f"land gate failed for {source}: " + "; ".join(failures[:3]) + (f" (and {len(failures) - 3} more)" if len(failures) > 3 else ""))

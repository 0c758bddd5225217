"""The land gate (SPEC §5): landed count = the count the source reported, ids unique and non-null,
every field the mapping reads exists in the source's schema (or, without one, in some record)."""

from __future__ import annotations

import json
from pathlib import Path

from expectations.gates import LANDED_COUNT, Gate, RuleCheck, literal, rule, values_list
from expectations.mapping import LUMA_DUPLICATES
from pipelines import registry


def count_parameter(source: str, table: str) -> str:
    return f"source_count__{source}__{table.replace('.', '_')}"


def airtable_schema_fields(schema: dict | None) -> dict[str, set[str]] | None:
    """Table name (and table id) -> field names, from the meta API's answer; None without a schema."""
    if not schema:
        return None
    tables: dict[str, set[str]] = {}
    for table in schema.get("tables", []):
        names = {f.get("name") for f in table.get("fields", []) if f.get("name")}
        for label in (table.get("name"), table.get("id")):
            if label:
                tables[label] = names
    return tables


def load_airtable_schema(snapshot_dir: str | None) -> dict | None:
    if not snapshot_dir:
        return None
    path = Path(snapshot_dir) / "airtable" / "schema.json"
    if not path.exists():
        return None
    return json.loads(path.read_text())


def _field_contract(entry: registry.Table, schema_tables: dict[str, set[str]] | None) -> Gate:
    source, table, mapped, raw, app = entry.source, entry.name, entry.fields, entry.raw, entry.application
    asset = (f"raw_{source}", table)
    if source == "airtable" and schema_tables is not None:
        present = schema_tables.get(table, set())
        missing = [(table, f) for f in mapped if f not in present]
        return rule("land", "fields_in_schema").gate(app, raw, raw, asset, missing=values_list(missing))
    column, wrapper = entry.record_column, entry.wrapper
    probe = f"r.{column} ? m.fld" + (f" or r.{column}->{literal(wrapper)} ? m.fld" if wrapper else "")
    return rule("land", "fields_in_records").gate(app, raw, raw, asset, source_table=literal(table), probe=probe,
                                                  mapped=values_list([(table, f) for f in mapped]))


def land_gates(existing_tables: set[str], airtable_schema: dict | None = None) -> list[Gate]:
    """Gates for every raw table that exists (`existing_tables`: 'raw_airtable.users', ...)."""
    schema_tables = airtable_schema_fields(airtable_schema)
    gates: list[Gate] = []
    for entry in registry.TABLES:
        source, table, keys, raw, app = entry.source, entry.name, entry.keys, entry.raw, entry.application
        if raw not in existing_tables:
            continue
        asset = (f"raw_{source}", table)
        # GX's own row-count expectation against the count the source reported: no SQL of ours
        gates.append(Gate("land", app, raw, "landed count = source count", raw, asset, kind="row_count",
                          parameter=count_parameter(source, table)))
        label = keys[0] if len(keys) == 1 else f"({', '.join(keys)})"
        values = {
            "label": label, "cols": ", ".join(keys), "detail": literal(label + " is null"),
            "key_sql": " || ':' || ".join(f"coalesce({k}::text, 'null')" for k in keys),
            "null_sql": " or ".join(f"{k} is null" for k in keys),
        }
        gates += [rule("land", name).gate(app, raw, raw, asset, **values) for name in ("key_not_null", "key_unique")]
        gates.append(_field_contract(entry, schema_tables))
    return gates


def rule_checks(app: str) -> list[RuleCheck]:
    """The land gate's checks of `app`'s raw tables, before any run. An Airtable table has both field
    contracts: a run judges the one its Airtable schema (or its absence) calls for."""
    checks = []
    for entry in registry.tables(application=app):
        asset = (f"raw_{entry.source}", entry.name)
        checks.append(RuleCheck(asset, LANDED_COUNT, "error",
                                "The rows landed equal the count the source reported (GX's row-count expectation)."))
        contracts = ("fields_in_schema", "fields_in_records") if entry.source == "airtable" else ("fields_in_records",)
        checks += [rule("land", name).check(asset) for name in ("key_not_null", "key_unique", *contracts)]
    return checks


def source_counts(conn, run_id: str) -> dict[str, int]:
    """GX runtime parameters: the rows each raw table must hold, i.e. the counts the sources
    reported (this run's count ledger) less the entries of a Luma key listed again in the same
    landing, which raw_luma.duplicates holds instead."""
    rows = conn.execute(
        "select source, source_table, source_count from migration.count_ledger where run_id = %s and source_count is not null",
        (run_id,),
    ).fetchall()
    repeated: dict[tuple[str, str], int] = {}
    if conn.execute("select to_regclass('raw_luma.duplicates')").fetchone()[0] is not None:
        for table, sql in LUMA_DUPLICATES.items():
            repeated[("luma", table)] = conn.execute(f"select count(*) from ({sql}) as d").fetchone()[0]
    return {count_parameter(source, table): int(count) - repeated.get((source, table), 0) for source, table, count in rows}

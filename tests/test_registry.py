"""The registry (pipelines/registry.py) against the SQL it describes: the fields each staging model
reads from its record, and the raw contract's tables. No database."""

from __future__ import annotations

import re
from pathlib import Path

from pipelines import registry

SQL = Path(__file__).resolve().parents[1] / "sql_models"
DDL = Path(__file__).resolve().parents[1] / "migrations" / "ddl"


def _reads(sql: str, names: set[str], wrapper: str | None) -> set[str]:
    """Top-level record fields `sql` reads through any of `names` (the record column, or the
    unwrapped Luma object): `x->'f'`, `x->>'f'`, `x #> '{f,…}'`, `x ? 'f'`; a read through the
    wrapper (`record->'guest'->>'f'`) counts as a read of `f`."""
    sql = re.sub(r"--[^\n]*", "", sql)
    found = set()
    alias = "|".join(sorted(names))
    for match in re.finditer(rf"\b(?:{alias})((?:\s*(?:->>?|#>>?|\?)\s*'[^']*')+)", sql):
        path = []
        for operator, key in re.findall(r"(->>?|#>>?|\?)\s*'([^']*)'", match.group(1)):
            path += key.strip("{}").split(",") if operator.startswith("#") else [key]
        if wrapper and path[0] == wrapper:
            path = path[1:]
        if path:
            found.add(path[0].strip().strip('"'))
    return found


def _staging(t: registry.Table) -> Path:
    return SQL / "staging" / f"stg_{t.source}__{t.name}.sql"


def _reading(t: registry.Table) -> str:
    """The SQL that reads a table's records: its staging model, or the migration's function the
    model selects from (Luma's one reading, shared with the sync: migrations/ddl/luma_<table>.sql)."""
    sql = _staging(t).read_text()
    shared = re.search(r"\bfrom\s+migration\.(\w+)\(", sql)
    return (DDL / f"{shared.group(1)}.sql").read_text() if shared else sql


def test_every_source_table_has_its_staging_model():
    assert [t.raw for t in registry.TABLES if not _staging(t).exists()] == []


def test_the_registry_lists_exactly_the_fields_the_staging_models_read():
    differences = {}
    for t in registry.TABLES:
        names = {t.record_column} | ({t.wrapper} if t.wrapper else set())
        read = _reads(_reading(t), names, t.wrapper)
        listed = set(t.fields) | set(t.optional) | set(t.key_fields)
        assert len(listed) == len(t.fields) + len(t.optional) + len(t.key_fields), f"{t.raw} lists a field twice"
        if read != listed:
            differences[t.raw] = {"read, not listed": sorted(read - listed), "listed, not read": sorted(listed - read)}
    assert differences == {}


def test_the_parser_sees_every_kind_of_read():
    sql = ("select fields->'a', fields ->> 'b', document #> '{c,d}', record->'guest'->>'e', guest->'f', "
           "record ? 'g', other->'h' -- fields->'commented'")
    assert _reads(sql, {"fields", "document", "record", "guest"}, "guest") == {"a", "b", "c", "e", "f", "g"}


def test_luma_guests_follow_the_models_not_the_old_gate_list():
    assert registry.table("luma", "guests").fields == (
        "user_api_id", "email", "name", "approval_status", "registered_at", "checked_in_at", "event_tickets")


def test_the_raw_contract_creates_every_registry_table_with_its_key_and_record_columns():
    contract = (SQL / "raw_contract.sql").read_text()
    created = {f"{schema}.{name}": columns for schema, name, columns in
               re.findall(r"create table if not exists (raw_\w+)\.(\w+) \(([^)]*)\)", contract)}
    for t in registry.TABLES:
        assert t.raw in created, f"sql_models/raw_contract.sql does not create {t.raw}"
        columns = {c.strip().split()[0] for c in created[t.raw].split(",")}
        assert set(t.keys) | {t.record_column, "_dlt_load_id"} <= columns, t.raw
    # besides the registry's tables only a source's own bookkeeping (Luma's repeated keys)
    assert set(created) - {t.raw for t in registry.TABLES} == {"raw_luma.duplicates"}


def test_every_application_table_is_fed_by_some_source_table():
    for app in registry.APPLICATIONS.values():
        fed = {name for t in registry.tables(application=app.name) for name in t.feeds}
        assert fed == set(app.tables), app.name


def test_the_application_tables_are_the_target_ddl_tables():
    from migrations.ddl.spec import VERSION_TABLE, spec

    for app in registry.APPLICATIONS:
        assert set(registry.APPLICATIONS[app].tables) == set(spec(app).tables) - {VERSION_TABLE}

"""A schema's tables as PostgreSQL's own catalog describes them, as plain data, and the difference
between two such descriptions.

Everything is schema-independent (a foreign key names the referenced table without its schema,
an index definition omits `schema.`), so `podium` and `podium_next` describe identically when
their DDL is the same, and a description can be parsed from the targets' md (migrations/ddl/spec.py) and
compared with a live database. Types are `format_type()` (e.g. `character varying(255)`,
`timestamp without time zone`), defaults `pg_get_expr()` (e.g. `'[]'::jsonb`), index definitions
`pg_get_indexdef()`. `conn` is a psycopg 3 connection.
"""

from __future__ import annotations

import re

ON_DELETE = {"a": "no action", "r": "restrict", "c": "cascade", "n": "set null", "d": "set default"}

_COLUMNS = """
select c.relname, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull, pg_get_expr(d.adbin, d.adrelid)
  from pg_attribute a
  join pg_class c on c.oid = a.attrelid
  join pg_namespace n on n.oid = c.relnamespace
  left join pg_attrdef d on d.adrelid = a.attrelid and d.adnum = a.attnum
 where n.nspname = %s and c.relkind in ('r', 'p') and a.attnum > 0 and not a.attisdropped
 order by c.relname, a.attnum
"""

# key columns in constraint order (unnest ... with ordinality keeps (a, b) apart from (b, a))
_CONSTRAINTS = """
select c.relname, con.conname, con.contype,
       array(select a.attname from unnest(con.conkey) with ordinality k(num, pos)
               join pg_attribute a on a.attrelid = con.conrelid and a.attnum = k.num order by k.pos),
       fc.relname, fn.nspname,
       array(select a.attname from unnest(con.confkey) with ordinality k(num, pos)
               join pg_attribute a on a.attrelid = con.confrelid and a.attnum = k.num order by k.pos),
       con.confdeltype, pg_get_constraintdef(con.oid)
  from pg_constraint con
  join pg_class c on c.oid = con.conrelid
  join pg_namespace n on n.oid = c.relnamespace
  left join pg_class fc on fc.oid = con.confrelid
  left join pg_namespace fn on fn.oid = fc.relnamespace
 where n.nspname = %s and c.relkind in ('r', 'p')
   and con.contype <> 'n'  -- PostgreSQL 18 lists NOT NULL here too; a column's not_null says it once
 order by c.relname, con.conname
"""

# indexes that do not merely back a primary key / unique / exclusion constraint
_INDEXES = """
select t.relname, i.relname, pg_get_indexdef(i.oid)
  from pg_index x
  join pg_class i on i.oid = x.indexrelid
  join pg_class t on t.oid = x.indrelid
  join pg_namespace n on n.oid = t.relnamespace
 where n.nspname = %s
   and not exists (select 1 from pg_constraint con where con.conindid = x.indexrelid and con.conrelid = x.indrelid
                                                    and con.contype in ('p', 'u', 'x'))
 order by t.relname, i.relname
"""


def _empty_table() -> dict:
    return {"columns": [], "primary_key": None, "unique": {}, "foreign_keys": {}, "checks": {}, "indexes": {}}


def describe(conn, schema: str) -> dict[str, dict]:
    """table -> {columns: [(name, type, not_null, default)], primary_key: (cols), unique: {name: (cols)},
    foreign_keys: {name: (cols, ref_table, ref_cols, on_delete)}, checks: {name: def}, indexes: {name: def}}."""
    tables: dict[str, dict] = {}
    for table, name, kind, not_null, default in conn.execute(_COLUMNS, (schema,)).fetchall():
        tables.setdefault(table, _empty_table())["columns"].append((name, kind, not_null, default))
    for table, name, kind, cols, ref_table, ref_schema, ref_cols, on_delete, definition in conn.execute(_CONSTRAINTS, (schema,)).fetchall():
        entry = tables.setdefault(table, _empty_table())
        if kind == "p":
            entry["primary_key"] = tuple(cols)
        elif kind == "u":
            entry["unique"][name] = tuple(cols)
        elif kind == "f":
            # a reference that leaves the schema keeps its schema, so it cannot pass for a local one
            ref = ref_table if ref_schema == schema else f"{ref_schema}.{ref_table}"
            entry["foreign_keys"][name] = (tuple(cols), ref, tuple(ref_cols), ON_DELETE[on_delete])
        else:
            entry["checks"][name] = definition
    for table, name, definition in conn.execute(_INDEXES, (schema,)).fetchall():
        entry = tables.setdefault(table, _empty_table())
        entry["indexes"][name] = index_on(definition, schema)
    return tables


def index_on(definition: str, schema: str, new_schema: str | None = None) -> str:
    """pg_get_indexdef() (which always names the table with its schema) with that schema removed,
    or replaced by `new_schema`."""
    qualifier = re.compile(r" ON (ONLY )?" + re.escape(_quote(schema)) + r"\.")
    prefix = f"{_quote(new_schema)}." if new_schema else ""
    return qualifier.sub(lambda m: f" ON {m.group(1) or ''}{prefix}", definition, count=1)


def _quote(identifier: str) -> str:
    return identifier if re.fullmatch(r"[a-z_][a-z0-9_$]*", identifier) else '"' + identifier.replace('"', '""') + '"'


def differences(expected: dict[str, dict], actual: dict[str, dict], label: str = "") -> list[str]:
    """One sentence per difference, table by table and column by column; [] when they are equal."""
    prefix = f"{label}." if label else ""
    out: list[str] = []
    for table in sorted(expected.keys() - actual.keys()):
        out.append(f"{prefix}{table}: table missing")
    for table in sorted(actual.keys() - expected.keys()):
        out.append(f"{prefix}{table}: unexpected table")
    for table in sorted(expected.keys() & actual.keys()):
        out.extend(_table_differences(f"{prefix}{table}", expected[table], actual[table]))
    return out


def _table_differences(where: str, want: dict, have: dict) -> list[str]:
    out: list[str] = []
    want_cols = {c[0]: c for c in want["columns"]}
    have_cols = {c[0]: c for c in have["columns"]}
    for name in [c[0] for c in want["columns"]]:
        if name not in have_cols:
            out.append(f"{where}.{name}: column missing")
            continue
        for label, a, b in zip(("type", "not null", "default"), want_cols[name][1:], have_cols[name][1:]):
            if a != b:
                out.append(f"{where}.{name}: {label} is {b!r}, expected {a!r}")
    for name in [c[0] for c in have["columns"]]:
        if name not in want_cols:
            out.append(f"{where}.{name}: unexpected column")
    common = [n for n in want_cols if n in have_cols]
    if common != [n for n in have_cols if n in want_cols]:
        out.append(f"{where}: column order is {[c[0] for c in have['columns']]}, expected {[c[0] for c in want['columns']]}")
    if want["primary_key"] != have["primary_key"]:
        out.append(f"{where}: primary key is {have['primary_key']}, expected {want['primary_key']}")
    for kind in ("unique", "foreign_keys", "checks", "indexes"):
        for name in sorted(want[kind].keys() | have[kind].keys()):
            a, b = want[kind].get(name), have[kind].get(name)
            if a is None:
                out.append(f"{where}: unexpected {kind} {name} {b}")
            elif b is None:
                out.append(f"{where}: {kind} {name} missing ({a})")
            elif a != b:
                out.append(f"{where}: {kind} {name} is {b}, expected {a}")
    return out


def compare_schemas(conn, expected_schema: str, actual_schema: str, tables=None) -> list[str]:
    """Differences between two schemas' DDL, e.g. compare_schemas(conn, 'podium', 'podium_next');
    `tables`: only these (a live schema may hold more than the migration fills)."""
    expected, actual = describe(conn, expected_schema), describe(conn, actual_schema)
    if tables is not None:
        expected, actual = ({t: d for t, d in found.items() if t in tables} for found in (expected, actual))
    return differences(expected, actual, actual_schema)

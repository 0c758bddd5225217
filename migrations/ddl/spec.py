"""The applications' own tables, read from `migrations/targets/<app>.md` (copies of SPEC's
`targets/*.md`, taken from the applications' own migrations run on PostgreSQL).

The md files are the one statement of the target DDL: this module parses them into `Table`s and
turns those into `create` statements for any schema (tables in foreign-key order, foreign keys
after all tables, then the indexes not backing a constraint) and into the shape
`catalog.describe()` returns, so tests compare a live catalog with the md itself.

The md's definitions are PostgreSQL's own renderings (`format_type`, `pg_get_expr`,
`pg_get_constraintdef`, `pg_get_indexdef` after `USING`), so they run as they are once a
referenced table is qualified with the schema.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

TARGETS_DIR = Path(__file__).resolve().parents[1] / "targets"
VERSION_TABLE = "alembic_version"  # Podium's own Alembic version table, part of its DDL (SPEC §3)

_ON_DELETE = re.compile(r"\bON DELETE (NO ACTION|RESTRICT|CASCADE|SET NULL|SET DEFAULT)\b")
_FOREIGN_KEY = re.compile(r"FOREIGN KEY \((?P<cols>[^)]*)\) REFERENCES (?P<ref>\w+)\((?P<ref_cols>[^)]*)\)")
_KEY_COLUMNS = re.compile(r"(?:PRIMARY KEY|UNIQUE) \((?P<cols>[^)]*)\)")
_INDEX = re.compile(r"(?P<unique>unique, )?(?P<method>\w+) (?P<rest>\(.*)")


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    not_null: bool
    default: str | None


@dataclass(frozen=True)
class Constraint:
    name: str
    kind: str  # primary key | unique | foreign key | check
    definition: str

    @property
    def references(self) -> str | None:
        match = _FOREIGN_KEY.match(self.definition)
        return match["ref"] if match else None


@dataclass(frozen=True)
class Index:
    name: str
    definition: str  # as in the md: `unique, btree (airtable_id)`, `gin (skills jsonb_path_ops)`

    def create(self, schema: str, table: str) -> str:
        match = _INDEX.fullmatch(self.definition)
        unique = "unique " if match["unique"] else ""
        return f'create {unique}index "{self.name}" on "{schema}"."{table}" using {match["method"]} {match["rest"]}'

    def catalog_definition(self, table: str) -> str:
        """pg_get_indexdef() without the schema, as catalog.describe() gives it."""
        match = _INDEX.fullmatch(self.definition)
        unique = "UNIQUE " if match["unique"] else ""
        return f"CREATE {unique}INDEX {self.name} ON {table} USING {match['method']} {match['rest']}"


@dataclass
class Table:
    name: str
    columns: list[Column] = field(default_factory=list)
    constraints: list[Constraint] = field(default_factory=list)
    indexes: list[Index] = field(default_factory=list)


@dataclass(frozen=True)
class Spec:
    app: str
    tables: dict[str, Table]  # md order
    version: str | None  # Podium's Alembic revision (the md's title), None for an app without one

    def ordered(self) -> list[Table]:
        """Tables in foreign-key order: a table after every table it references."""
        out: list[Table] = []
        pending = list(self.tables.values())
        while pending:
            placed = {t.name for t in out}
            ready = [t for t in pending if {c.references for c in t.constraints if c.references} - {t.name} <= placed]
            if not ready:
                raise ValueError(f"migrations/targets/{self.app}.md: foreign keys form a cycle among {[t.name for t in pending]}")
            out.extend(ready)
            pending = [t for t in pending if t not in ready]
        return out

    def statements(self, schema: str) -> list[str]:
        """`create table`s (keys inline), then the foreign keys, then the indexes, then the version row."""
        out = []
        for table in self.ordered():
            parts = [_column_sql(c) for c in table.columns]
            parts += [f'constraint "{c.name}" {c.definition}' for c in table.constraints if c.kind != "foreign key"]
            out.append(f'create table "{schema}"."{table.name}" (\n  ' + ",\n  ".join(parts) + "\n)")
        for table in self.ordered():
            for c in table.constraints:
                if c.kind == "foreign key":
                    definition = c.definition.replace(f"REFERENCES {c.references}(", f'REFERENCES "{schema}"."{c.references}"(', 1)
                    out.append(f'alter table "{schema}"."{table.name}" add constraint "{c.name}" {definition}')
        for table in self.ordered():
            out.extend(index.create(schema, table.name) for index in table.indexes)
        if self.version:
            out.append(f"insert into \"{schema}\".\"{VERSION_TABLE}\" (version_num) values ('{self.version}')")
        return out

    def describe(self) -> dict[str, dict]:
        """The md in the shape of catalog.describe(), to compare a schema's catalog with it."""
        out = {}
        for table in self.tables.values():
            entry = {
                "columns": [(c.name, c.type, c.not_null, c.default) for c in table.columns],
                "primary_key": None, "unique": {}, "foreign_keys": {}, "checks": {},
                "indexes": {i.name: i.catalog_definition(table.name) for i in table.indexes},
            }
            for c in table.constraints:
                if c.kind == "foreign key":
                    match = _FOREIGN_KEY.match(c.definition)
                    on_delete = _ON_DELETE.search(c.definition)
                    entry["foreign_keys"][c.name] = (
                        _names(match["cols"]), match["ref"], _names(match["ref_cols"]),
                        on_delete[1].lower() if on_delete else "no action",
                    )
                elif c.kind == "primary key":
                    entry["primary_key"] = _names(_KEY_COLUMNS.match(c.definition)["cols"])
                elif c.kind == "unique":
                    entry["unique"][c.name] = _names(_KEY_COLUMNS.match(c.definition)["cols"])
                else:
                    entry["checks"][c.name] = c.definition
            out[table.name] = entry
        return out


def _column_sql(c: Column) -> str:
    return f'"{c.name}" {c.type}' + (" not null" if c.not_null else "") + (f" default {c.default}" if c.default else "")


def _names(cols: str) -> tuple[str, ...]:
    return tuple(c.strip() for c in cols.split(","))


def _cells(line: str) -> list[str]:
    return [cell.strip() for cell in line.strip().strip("|").split("|")]


def parse(text: str, app: str) -> Spec:
    """`## table` sections, each with a column table, a constraint table and an optional index table
    (told apart by their header row)."""
    version = re.search(r"Alembic revision (\w+)", text.splitlines()[0])
    tables: dict[str, Table] = {}
    current: Table | None = None
    header: list[str] = []
    for line in text.splitlines():
        if line.startswith("## "):
            current = tables.setdefault(line[3:].strip(), Table(line[3:].strip()))
            header = []
        elif current is None or not line.startswith("|"):
            header = [] if not line.strip() else header
        elif not header:
            header = _cells(line)
        elif set(line) <= set("|-: "):
            continue
        else:
            cells = _cells(line)
            if header[0] == "column":
                name, kind, null, default = cells
                current.columns.append(Column(name, kind, null == "not null", default or None))
            elif header[0] == "constraint":
                current.constraints.append(Constraint(*cells))
            elif header[0].startswith("index"):
                current.indexes.append(Index(*cells))
            else:
                raise ValueError(f"migrations/targets/{app}.md: table {current.name} has an unknown section {header[0]!r}")
    return Spec(app, tables, version[1] if version else None)


@cache
def spec(app: str) -> Spec:
    return parse((TARGETS_DIR / f"{app}.md").read_text(), app)

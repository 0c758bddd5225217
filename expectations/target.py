"""The target gate (SPEC §3, §5): what the candidate models produce fits the application's LIVE
tables, checked before a candidate row is inserted, so a mismatch is a named gate failure and never
a raw PostgreSQL error.

Every mismatch is named `<app>.<table>.<column>: <what>`: a column a model fills that the table
lacks; a NOT NULL column without default that no model fills (an application's unknown extra NOT
NULL column too); a type that cannot hold the model's type; a varchar(n) / char(n) narrower than the
longest value the model produces. The catalog half is one query per application
(target_columns.sql); the width half one query per table with such a column over its model's
output (its `select` runs once more; set-based, not row by row).

Decision: a Python gate beside the GX rules, not a rule file: GX binds a rule to one table, and this
gate judges a query's result type against a catalog (`select ... limit 0`), before the candidate
table has a row. Its outcomes are `Outcome`s of phase `transform`, recorded in
migration.gate_results like the others (one per application and table, rule `target columns`), so
the report and `cutover dry-run`'s exit 3 name them.
"""

from __future__ import annotations

from pathlib import Path

from expectations.gates import Gate, Outcome

RULE = "target columns: the model's output fits the live table"
SQL = (Path(__file__).resolve().parent / "target_columns.sql").read_text


def _produced(conn, sql: str) -> list[tuple[str, int]]:
    """(column, type oid) of a model's output, without running it."""
    cur = conn.execute(f"select * from ({sql}) as model limit 0")
    return [(c.name, c.type_code) for c in cur.description]


def _longest(conn, sql: str, columns: list[str]) -> dict[str, int]:
    measures = ", ".join(f'max(char_length(model."{c}"::text))' for c in columns)
    row = conn.execute(f"select {measures} from ({sql}) as model").fetchone()
    return {c: n for c, n in zip(columns, row) if n is not None}


def target_outcomes(conn, target, models: dict[str, str]) -> list[Outcome]:
    """One outcome per model of `target`'s application; `models`: table -> the model's select.
    Runs inside the caller's transaction (the models read its `cutover.run_id`)."""
    produced = {table: _produced(conn, sql) for table, sql in sorted(models.items())}
    flat = [(table, column, oid) for table, columns in produced.items() for column, oid in columns]
    rows = conn.execute(SQL(), {
        "schema": target.schema, "models": sorted(models),
        "tables": [r[0] for r in flat], "columns": [r[1] for r in flat], "types": [r[2] for r in flat],
    }).fetchall()
    found: dict[str, list[str]] = {table: [] for table in models}
    widths: dict[str, dict[str, tuple[int, str]]] = {}
    for table, column, problem, width, type_name in rows:
        if problem:
            found[table].append(f"{target.app}.{table}.{column}: {problem}")
        elif width is not None:
            widths.setdefault(table, {})[column] = (width, type_name)
    for table, columns in sorted(widths.items()):
        for column, longest in _longest(conn, models[table], sorted(columns)).items():
            width, type_name = columns[column]
            if longest > width:
                found[table].append(f"{target.app}.{table}.{column}: {type_name} is narrower than the longest value the model produces ({longest} characters)")
    outcomes = []
    for table in sorted(models):
        gate = Gate("transform", target.app, f"{target.schema}.{table}", RULE, f"{target.candidate_schema}.{table}",
                    (target.candidate_schema, table))
        outcomes.append(Outcome(gate, passed=not found[table], failed_count=len(found[table]), examples=found[table]))
    return outcomes

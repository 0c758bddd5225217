"""Every gate rule is a file `expectations/rules/<phase>/<rule>.sql` with a complete header, as
every model is a file of sql_models/: the suites run no rule SQL written in Python. No database:
the gates are built from the registry and a made-up catalog, not run."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from expectations import gates, land, reconcile, transform
from pipelines import registry

ROOT = Path(__file__).resolve().parent.parent
RULE_FILES = sorted(gates.RULES_DIR.glob("*/*.sql"))


def _all_gates() -> list[gates.Gate]:
    """Every gate the three phases build, every branch taken: with and without an Airtable schema,
    every raw and candidate table present, and a catalog with each kind of constraint."""
    tables = {e.raw for e in registry.TABLES} | {reconcile.classification(app) for app in registry.APPLICATIONS} | {"raw_luma.duplicates"}
    tables |= {f"{app}_next.{t}" for app, a in registry.APPLICATIONS.items() for t in a.tables}
    tables |= {f"raw_live_{app}.{t}" for app, a in registry.APPLICATIONS.items() for t in a.tables}
    schema = {"tables": [{"name": "users", "fields": [{"name": "email"}]}]}
    built = land.land_gates(tables, None) + land.land_gates(tables, schema) + reconcile.reconcile_gates("run", tables)
    spec = {"pk": ["id"], "unique": [["email"]], "fks": [(["owner_id"], "users", ["id"])], "not_null": ["id", "email"]}
    built += transform._table_gates("hello_miami", "profiles", spec)
    return built


def test_there_is_a_folder_of_rule_files_per_phase():
    assert sorted({p.parent.name for p in RULE_FILES}) == sorted(gates.PHASES)


@pytest.mark.parametrize("path", RULE_FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_rule_file_has_a_complete_header(path):
    rule = gates.parse_rule(path)
    assert rule.name and rule.description, path
    assert rule.severity in ("error", "warning"), path
    assert rule.sql.lower().startswith(("select", "with")), path
    assert " as key" in rule.sql and " as detail" in rule.sql, f"{path}: a rule selects (key, detail)"


def test_a_rule_file_without_its_header_is_refused(tmp_path):
    path = tmp_path / "land" / "no_severity.sql"
    path.parent.mkdir()
    path.write_text("-- name: ids unique\n-- description: no two rows share an id\nselect 1 as key, 2 as detail\n")
    with pytest.raises(ValueError, match=r"no_severity\.sql: the header lacks `-- severity:`"):
        gates.parse_rule(path)
    path.write_text("-- name: ids unique\n-- severity: fatal\n-- description: d\nselect 1 as key, 2 as detail\n")
    with pytest.raises(ValueError, match="severity 'fatal' is none of error, warning"):
        gates.parse_rule(path)


def test_every_rule_the_suites_run_comes_from_a_file_and_every_file_is_run():
    built = _all_gates()
    row_rules = [g for g in built if g.kind == "rows"]
    assert row_rules and all(g.rule_file for g in row_rules), [g.name for g in row_rules if not g.rule_file]
    # the only other kind the suites run: GX's own row count against the source's count
    assert {g.kind for g in built} == {"rows", "row_count"}
    for g in row_rules:
        rule = gates.parse_rule(gates.RULES_DIR / g.rule_file)
        assert g.severity == rule.severity, g.name
        assert "{" not in g.sql.replace("{batch}", ""), f"{g.name}: a placeholder left unfilled"
    used = {g.rule_file for g in row_rules}
    assert used == {f"{p.parent.name}/{p.name}" for p in RULE_FILES}, "a rule file no suite runs"


def test_no_rule_sql_is_left_in_the_python():
    # a rule's query selects (key, detail): such text in a Python string is a rule not in a file
    offenders = []
    for path in sorted((ROOT / "expectations").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                text = " ".join(node.value.lower().split())
                if " as detail" in text or (text.startswith("select") and " as key" in text):
                    offenders.append(f"{path.name}:{node.lineno}")
    assert offenders == [], "rule SQL in Python (move it to expectations/rules/<phase>/): " + ", ".join(offenders)

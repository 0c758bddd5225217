"""A gate rule: which phase, application and table it judges, what it says, how severe it is.

A rule's SQL selects the offending rows as (`key`, `detail`): `key` names the record (a source id,
a target uuid, a field name) and never holds personal data; `detail` is a short explanation.
`{batch}` in the SQL is the table the rule is bound to (GX substitutes it).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pipelines import registry

PHASES = ("land", "transform", "reconcile")
APPLICATIONS = tuple(registry.APPLICATIONS)


@dataclass(frozen=True)
class Gate:
    phase: str
    application: str
    table: str  # the table as a reader knows it: raw_airtable.users, podium_next.users, airtable.users
    rule: str  # plain words: "ids unique", "foreign key owner_id -> users"
    batch: str  # schema.table GX binds the suite to
    asset: tuple[str, ...]  # the Dagster asset key the check result is attached to
    kind: str = "rows"  # rows | row_count | unique | not_null | compound_unique
    sql: str | None = None
    columns: tuple[str, ...] = ()
    parameter: str | None = None
    severity: str = "error"  # error blocks; warning reports

    @property
    def name(self) -> str:
        return f"{self.table}: {self.rule}"

    @property
    def suite(self) -> str:
        return f"{self.phase}.{self.application}.{self.batch}"


@dataclass
class Outcome:
    """What one gate found in one run."""

    gate: Gate
    passed: bool
    failed_count: int = 0
    examples: list[str] = field(default_factory=list)
    observed: object = None

    @property
    def message(self) -> str:
        if self.passed:
            return f"{self.gate.table}: {self.gate.rule}: passed"
        shown = "; ".join(self.examples[:8])
        more = f" (e.g. {shown})" if shown else ""
        return f"{self.gate.table}: {self.gate.rule}: {self.failed_count} failing{more}"

    def as_dict(self) -> dict:
        return {
            "phase": self.gate.phase,
            "application": self.gate.application,
            "table": self.gate.table,
            "rule": self.gate.rule,
            "name": self.gate.name,
            "severity": self.gate.severity,
            "passed": self.passed,
            "failed_count": self.failed_count,
            "failed": self.examples,
            "message": self.message,
        }


def literal(value: str) -> str:
    """A SQL string literal; braces doubled because GX formats the query with `{batch}`."""
    return "'" + value.replace("'", "''").replace("{", "{{").replace("}", "}}") + "'"


def values_list(rows: list[tuple[str, ...]]) -> str:
    """`(values ('a','b'), ...)` for the rule SQL; an empty list gives a typed empty relation."""
    if not rows:
        return "(select null::text as a, null::text as b where false)"
    body = ", ".join("(" + ", ".join(literal(v) for v in row) + ")" for row in rows)
    return f"(values {body})"

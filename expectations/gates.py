"""A gate rule: which phase, application and table it judges, what it says, how severe it is.

A rule's SQL selects the offending rows as (`key`, `detail`): `key` names the record (a source id,
a target uuid, a field name) and never holds personal data; `detail` is a short explanation.
`{batch}` in the SQL is the table the rule is bound to (GX substitutes it).

Every rule's SQL is a file `expectations/rules/<phase>/<rule>.sql` whose header names it
(`-- name:`), says how severe it is (`-- severity: error | warning`) and what it judges
(`-- description:`); `{placeholders}` in the name and the SQL are filled by the phase's module from
the registry or the catalog (`Rule.gate`). `{batch}` is left for GX.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from pipelines import registry, sql_headers

PHASES = ("land", "transform", "reconcile")
RULES_DIR = Path(__file__).resolve().parent / "rules"
SEVERITIES = ("error", "warning")
HEADER_KEYS = ("name", "severity", "description")
_PLACEHOLDER = re.compile(r"\{(\w+)\}")
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
    rule_file: str | None = None  # rules/<phase>/<rule>.sql the SQL comes from
    instance: str = ""  # what tells this rule's checks on one asset apart (a column, a table, a kind)

    @property
    def check(self) -> str:
        """The Dagster asset check this gate's result belongs to (`RuleCheck.name`)."""
        return check_name(Path(self.rule_file).stem if self.rule_file else LANDED_COUNT, self.instance)

    @property
    def name(self) -> str:
        return f"{self.table}: {self.rule}"

    @property
    def suite(self) -> str:
        return f"{self.phase}.{self.application}.{self.batch}"


LANDED_COUNT = "landed_count"  # the land gate's one rule without SQL of ours (GX's row count)


def check_name(file: str, instance: str = "") -> str:
    return f"{file}__{instance}" if instance else file


@dataclass(frozen=True)
class RuleCheck:
    """One Dagster asset check, known before any run: a rule (and instance) on a gate's asset.
    Every gate a run builds maps to exactly one of these by (`Gate.asset`, `Gate.check`)."""

    asset: tuple[str, ...]
    name: str
    severity: str
    description: str


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


def fill(template: str, values: dict[str, str]) -> str:
    """`template` with each `{name}` replaced by `values[name]` (verbatim: already SQL), in one pass
    so a value is never read as a template; `{batch}` stays for GX. Not psycopg's `sql.SQL.format`:
    it would consume `{batch}`, and GX, not psycopg, runs the query."""

    def value(match: re.Match) -> str:
        if match[1] == "batch":
            return match[0]
        if match[1] not in values:
            raise KeyError(f"the rule template names {{{match[1]}}}, which its module does not fill")
        return str(values[match[1]])

    return _PLACEHOLDER.sub(value, template)


@dataclass(frozen=True)
class Rule:
    """One rule file: its header and its SQL (comments removed, whitespace run together, so a
    query reads as one line in Data Docs and in a failure's message)."""

    phase: str
    file: str
    name: str
    severity: str
    description: str
    sql: str

    def gate(self, application: str, table: str, batch: str, asset: tuple[str, ...], /, instance: str = "", **values: str) -> Gate:
        return Gate(self.phase, application, table, fill(self.name, values), batch, asset,
                    sql=fill(self.sql, values), severity=self.severity, rule_file=f"{self.phase}/{self.file}.sql",
                    instance=instance)

    def check(self, asset: tuple[str, ...], instance: str = "") -> RuleCheck:
        described = f"{self.description} ({instance})" if instance else self.description
        return RuleCheck(asset, check_name(self.file, instance), self.severity, described)


def parse_rule(path: Path) -> Rule:
    text = path.read_text()
    fields, _prose = sql_headers.header_fields(sql_headers.header_lines(text), HEADER_KEYS)
    missing = [k for k in HEADER_KEYS if not fields.get(k)]
    if missing:
        raise ValueError(f"{path}: the header lacks `-- {missing[0]}:`")
    severity = fields["severity"][0]
    if severity not in SEVERITIES:
        raise ValueError(f"{path}: severity {severity!r} is none of {', '.join(SEVERITIES)}")
    sql = " ".join(sql_headers.code(text).split())
    return Rule(path.parent.name, path.stem, fields["name"][0], severity, " ".join(fields["description"]), sql)


@cache
def rule(phase: str, file: str) -> Rule:
    """The rule `expectations/rules/<phase>/<file>.sql`."""
    return parse_rule(RULES_DIR / phase / f"{file}.sql")

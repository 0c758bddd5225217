"""The reconcile gate (SPEC §5): the count identity holds for every source table, key-level
anti-joins find no record missing in either direction, quarantine stays under its ceiling.
Warnings (not blocking): MongoDB/Luma field conflicts, a Luma key listed twice with different
values, and Podium reverse-link asymmetry.

Decisions:
- The anti-joins read the raw tables themselves, not the count ledger, so a record the models
  dropped (or a classification row without a landed record) is found by key, not only by count.
- Lineage -> candidate: every lineage row of the run must point at an existing candidate row
  (a migrated record silently dropped from a candidate table fails here); candidate -> lineage:
  every candidate row must be the target of some source record of the run.
- Ceiling: `CUTOVER_QUARANTINE_CEILING` (fraction, default 0.25) for every table;
  `CUTOVER_QUARANTINE_CEILINGS="airtable.events=0.5,mongo.attendance=0.4"` overrides per table.
"""

from __future__ import annotations

import os

from expectations.gates import Gate, RuleCheck, literal, rule, values_list
from expectations.mapping import LUMA_DUPLICATES
from pipelines import registry

DEFAULT_CEILING = 0.25
LEDGER = ("migration", "count_ledger")
LINEAGE = ("migration", "id_lineage")
CONFLICTS = ("migration", "conflicts")


def classification(app: str) -> str:
    """The application's classification model (sql_models/intermediate/int_<app>__classification.sql)."""
    return f"intermediate.int_{app}__classification"


# list links: one source record per distinct (record, linked id)
LINK_TABLES = {
    ("airtable", "events.attendees"): ("raw_airtable.events", "attendees"),
    ("airtable", "projects.collaborators"): ("raw_airtable.projects", "collaborators"),
}


def ceilings() -> tuple[float, dict[str, float]]:
    default = float(os.environ.get("CUTOVER_QUARANTINE_CEILING") or DEFAULT_CEILING)
    overrides: dict[str, float] = {}
    for item in (os.environ.get("CUTOVER_QUARANTINE_CEILINGS") or "").split(","):
        if "=" in item:
            table, value = item.split("=", 1)
            overrides[table.strip()] = float(value)
    return default, overrides


def _sources_sql(app: str) -> str:
    return ", ".join(literal(s) for s in registry.sources_of(app))


def _ledger_gates(app: str, run: str) -> list[Gate]:
    default, overrides = ceilings()
    ceiling_rows = [tuple(k.split(".", 1)) + (str(v),) for k, v in overrides.items()]
    ceiling_values = values_list(ceiling_rows) if ceiling_rows else "(select null::text, null::text, null::text where false)"
    values = {"run": run, "sources": _sources_sql(app), "default": str(default), "ceilings": ceiling_values}
    ledger = "migration.count_ledger"
    return [rule("reconcile", name).gate(app, ledger, ledger, LEDGER, **values)
            for name in LEDGER_RULES]


def _raw_gates(app: str, run: str, existing: set[str]) -> list[Gate]:
    parts, landed_tables = [], []
    # the source_id the classification gives each landed record: the registry's per source table
    for entry in registry.tables(application=app):
        if entry.raw in existing:
            landed_tables.append(literal(entry.source + "." + entry.name))
            parts.append(
                f"select {literal(entry.source + '.' + entry.name)} as source_table, {entry.source_id} as source_id "
                f"from {entry.raw} as r"
            )
    # a key listed again in one landing: a landed record of its table, its source id numbered by occurrence
    for table, duplicates in LUMA_DUPLICATES.items():
        entry = registry.table("luma", table)
        if entry.application == app and "raw_luma.duplicates" in existing and entry.raw in existing:
            parts.append(f"select {literal('luma.' + table)} as source_table, {entry.source_id} || '#' || r.occurrence as source_id "
                         f"from ({duplicates}) as r")
    for (source, table), (raw, field) in LINK_TABLES.items():
        if registry.application_of(source) == app and raw in existing:
            landed_tables.append(literal(source + "." + table))
            parts.append(
                f"select distinct {literal(source + '.' + table)}, r.id || ':' || trim(e.value) from {raw} as r "
                f"cross join lateral jsonb_array_elements_text(case jsonb_typeof(r.fields->{literal(field)}) "
                f"when 'array' then r.fields->{literal(field)} else '[]'::jsonb end) as e(value) where trim(e.value) <> ''"
            )
    if not parts:
        return []
    values = {
        "run": run,
        "sources": _sources_sql(app),
        "raw_keys": " union all ".join(parts),
        "classification": classification(app),
        "classified": f"select c.source || '.' || c.source_table as source_table, c.source_id from {classification(app)} as c "
                      f"where c.source in ({_sources_sql(app)})",
        "landed_tables": ", ".join(landed_tables),
    }
    batch = "migration.id_lineage"
    return [rule("reconcile", name).gate(app, table, batch, LINEAGE, **values) for name, table in RAW_RULES.items()]


CANDIDATE_RULES = ("lineage_has_candidate_row", "candidate_row_has_lineage")
RAW_RULES = {"landed_classified": "raw -> classification", "classified_landed": "classification -> raw",
             "classified_once": "classification", "quarantined_without_lineage": "migration.quarantine"}
LEDGER_RULES = ("ledger_identity", "quarantine_ceiling")


def _candidate_gates(app: str, run: str, existing: set[str]) -> list[Gate]:
    from pipelines.live import raw_schema

    gates = []
    for table in registry.APPLICATIONS[app].tables:
        candidate = f"{app}_next.{table}"
        if candidate not in existing:
            continue
        natural = registry.APPLICATIONS[app].natural_key(table)
        if natural is None:
            has_row = f"select 1 from {candidate} as t where t.id = l.target_id"
            key, has_lineage, via = "t.id::text", "l.target_id = t.id", ""
        else:  # no id column: the lineage's target id leads to the natural key through its model
            keys, model = natural
            same = " and ".join(f"m.{k} = t.{k}" for k in keys)
            has_row = f"select 1 from {model} as m join {candidate} as t on {same} where m.target_id = l.target_id"
            key = " || ':' || ".join(f"t.{k}::text" for k in keys)
            has_lineage, via = same, f"join {model} as m on m.target_id = l.target_id"
        # a row the application already held (landed from the live table) is its own source (SPEC §4)
        landed = f"{raw_schema(app)}.{table}"
        live = f"and not exists (select 1 from {landed} as v where {_same(app, table, 'v')})" if landed in existing else ""
        values = {"run": run, "candidate": candidate, "target": literal(f"{app}.{table}"),
                  "has_row": has_row, "key": key, "has_lineage": has_lineage, "via": via, "live": live}
        gates += [rule("reconcile", name).gate(app, candidate, "migration.id_lineage", LINEAGE, instance=table, **values)
                  for name in CANDIDATE_RULES]
    return gates


def _same(app: str, table: str, alias: str) -> str:
    """SQL: the candidate row `t` is the row `alias` of the same table (pipelines.live.row_keys)."""
    from pipelines.live import row_keys

    return " and ".join(f"{alias}.{k} = t.{k}" for k in row_keys(app, table))


def live_judged_tables(app: str) -> list[str]:
    """The live tables the live hop judges: every table of the application."""
    return list(registry.APPLICATIONS[app].tables)


def _live_gates(app: str, existing: set[str]) -> list[Gate]:
    """Live hop (SPEC §4): every row landed from a live table is kept by the candidates."""
    from pipelines.live import row_keys, raw_schema

    gates = []
    for table in live_judged_tables(app):
        landed, candidate = f"{raw_schema(app)}.{table}", f"{app}_next.{table}"
        if landed in existing and candidate in existing:
            keys = row_keys(app, table)
            gates.append(rule("reconcile", "live_row_kept").gate(
                app, f"{app}.{table}", landed, LINEAGE, instance=table, candidate=candidate, same=_same(app, table, "l"),
                key=" || ':' || ".join(f"l.{k}::text" for k in keys)))
    return gates


WARNINGS = {
    "podium": [("reverse_link", "users.attending_events agrees with events.attendees"),
               ("live_source", "the live rows and the source records matched to them agree on fields")],
    "hello_miami": [("mongo_luma", "MongoDB and Luma agree on event fields"),
                    ("luma_duplicate", "a Luma key listed twice holds the same entry"),
                    ("live_source", "the live rows and the source records matched to them agree on fields")],
}


def _warning_gates(app: str, run: str) -> list[Gate]:
    conflicts = "migration.conflicts"
    return [rule("reconcile", "conflicts").gate(app, conflicts, conflicts, CONFLICTS, instance=kind, run=run, kind=literal(kind), rule=text)
            for kind, text in WARNINGS[app]]


def rule_checks(app: str) -> list[RuleCheck]:
    """The reconcile gate's checks of `app`, before any run: on the count ledger, on the lineage
    (one per candidate table where a rule judges one table), and the conflicts it warns about."""
    from expectations.row_compare import compared_tables

    checks = [rule("reconcile", name).check(LEDGER) for name in LEDGER_RULES]
    checks += [rule("reconcile", name).check(LINEAGE) for name in RAW_RULES]
    checks += [rule("reconcile", name).check(LINEAGE, table) for table in registry.APPLICATIONS[app].tables for name in CANDIDATE_RULES]
    checks += [rule("reconcile", "row_hash").check(LINEAGE, table) for table in compared_tables(app)]
    checks += [rule("reconcile", "conflicts").check(CONFLICTS, kind) for kind, _text in WARNINGS[app]]
    checks += [rule("reconcile", "live_row_kept").check(LINEAGE, table) for table in live_judged_tables(app)]
    return checks


def reconcile_gates(run_id: str, existing_tables: set[str], apps=tuple(registry.APPLICATIONS)) -> list[Gate]:
    from expectations.row_compare import row_compare_gates

    run = literal(run_id)
    gates: list[Gate] = []
    for app in apps:
        gates += _ledger_gates(app, run)
        if classification(app) in existing_tables:
            gates += _raw_gates(app, run, existing_tables)
        gates += _candidate_gates(app, run, existing_tables)
        gates += _live_gates(app, existing_tables)
        gates += row_compare_gates(app, run_id, existing_tables)
        gates += _warning_gates(app, run)
    return gates

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

from expectations.gates import Gate, literal, values_list
from expectations.mapping import LUMA_DUPLICATES
from pipelines import registry

DEFAULT_CEILING = 0.25
LEDGER = ("migration", "count_ledger")
LINEAGE = ("migration", "id_lineage")
CONFLICTS = ("migration", "conflicts")
CLASSIFICATION = "intermediate.int_classification"

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
    identity = (
        "select l.source || '.' || l.source_table as key, "
        "format('source %s, landed %s, but migrated %s + merged %s + quarantined %s = %s', l.source_count, l.landed, "
        "l.migrated, l.merged, l.quarantined, coalesce(l.migrated, 0) + coalesce(l.merged, 0) + coalesce(l.quarantined, 0)) as detail "
        f"from (select * from {{batch}}) as l where l.run_id = {run} and l.source in ({_sources_sql(app)}) "
        "and (l.source_count is distinct from coalesce(l.migrated, 0) + coalesce(l.merged, 0) + coalesce(l.quarantined, 0) "
        "or l.landed is distinct from l.source_count)"
    )
    ceiling = (
        "select l.source || '.' || l.source_table as key, "
        "format('%s of %s quarantined (%s%%), ceiling %s%%', l.quarantined, l.source_count, "
        "round(100.0 * l.quarantined / l.source_count, 1), trim_scale(round(100 * coalesce(o.ceiling::numeric, "
        f"{default}), 4))) as detail "
        f"from (select * from {{batch}}) as l left join {ceiling_values} as o(src, tbl, ceiling) on o.src = l.source and o.tbl = l.source_table "
        f"where l.run_id = {run} and l.source in ({_sources_sql(app)}) and l.source_count > 0 "
        f"and l.quarantined > coalesce(o.ceiling::numeric, {default}) * l.source_count"
    )
    return [
        Gate("reconcile", app, "migration.count_ledger", "source = migrated + merged + quarantined", "migration.count_ledger", LEDGER, sql=identity),
        Gate("reconcile", app, "migration.count_ledger", "quarantine under its ceiling", "migration.count_ledger", LEDGER, sql=ceiling),
    ]


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
    raw_keys = " union all ".join(parts)
    classified = (
        f"select c.source || '.' || c.source_table as source_table, c.source_id from {CLASSIFICATION} as c "
        f"where c.source in ({_sources_sql(app)})"
    )
    missing = (
        f"with raw_keys as ({raw_keys}), classified as ({classified}) "
        "select k.source_table || ':' || k.source_id as key, 'landed but neither migrated, merged nor quarantined' as detail "
        "from raw_keys as k where not exists (select 1 from classified as c "
        "where c.source_table = k.source_table and c.source_id = k.source_id)"
    )
    phantom = (
        f"with raw_keys as ({raw_keys}), classified as ({classified}) "
        "select c.source_table || ':' || c.source_id as key, 'classified but never landed' as detail from classified as c "
        # every table whose raw table exists, also when it holds no row: a classification there is a phantom too
        f"where c.source_table in ({', '.join(landed_tables)}) and not exists ("
        "select 1 from raw_keys as k where k.source_table = c.source_table and k.source_id = c.source_id)"
    )
    twice = (
        f"select c.source || '.' || c.source_table || ':' || c.source_id as key, count(*) || ' classifications' as detail "
        f"from {CLASSIFICATION} as c where c.source in ({_sources_sql(app)}) "
        "group by c.source, c.source_table, c.source_id having count(*) > 1"
    )
    lineage_quarantined = (
        "select q.source || '.' || q.source_table || ':' || q.source_id as key, 'quarantined and in the lineage' as detail "
        f"from migration.quarantine as q join (select * from {{batch}}) as l on l.source = q.source and l.source_table = q.source_table "
        f"and l.source_id = q.source_id and l.run_id = {run} where q.run_id = {run} and q.source in ({_sources_sql(app)})"
    )
    batch = "migration.id_lineage"
    return [
        Gate("reconcile", app, "raw -> classification", "every landed record is migrated, merged or quarantined", batch, LINEAGE, sql=missing),
        Gate("reconcile", app, "classification -> raw", "every classified record was landed", batch, LINEAGE, sql=phantom),
        Gate("reconcile", app, "classification", "each record classified exactly once", batch, LINEAGE, sql=twice),
        Gate("reconcile", app, "migration.quarantine", "a quarantined record has no lineage", batch, LINEAGE, sql=lineage_quarantined),
    ]


def _candidate_gates(app: str, run: str, existing: set[str]) -> list[Gate]:
    gates = []
    for table in registry.APPLICATIONS[app].tables:
        candidate = f"{app}_next.{table}"
        if candidate not in existing:
            continue
        target = literal(f"{app}.{table}")
        natural = registry.APPLICATIONS[app].natural_key(table)
        if natural is None:
            has_row = f"select 1 from {candidate} as t where t.id = l.target_id"
            key, has_lineage = "t.id::text", "l.target_id = t.id"
        else:  # no id column: the lineage's target id leads to the natural key through its model
            keys, model = natural
            same = " and ".join(f"m.{k} = t.{k}" for k in keys)
            has_row = f"select 1 from {model} as m join {candidate} as t on {same} where m.target_id = l.target_id"
            key = " || ':' || ".join(f"t.{k}::text" for k in keys)
            has_lineage = f"exists (select 1 from {model} as m where m.target_id = l.target_id and {same})"
        dropped = (
            "select l.source || '.' || l.source_table || ':' || l.source_id as key, "
            f"'lineage points at ' || l.target_id || ', no such row in {candidate}' as detail "
            f"from (select * from {{batch}}) as l where l.run_id = {run} and l.target_table = {target} "
            f"and not exists ({has_row})"
        )
        orphan = (
            f"select {key} as key, 'no source record of this run leads to this row' as detail from {candidate} as t "
            f"where not exists (select 1 from (select * from {{batch}}) as l where l.run_id = {run} and l.target_table = {target} and {has_lineage})"
        )
        gates.append(Gate("reconcile", app, candidate, "every migrated record has its candidate row", "migration.id_lineage", LINEAGE, sql=dropped))
        gates.append(Gate("reconcile", app, candidate, "every candidate row has a source record", "migration.id_lineage", LINEAGE, sql=orphan))
    return gates


WARNINGS = {
    "podium": [("reverse_link", "users.attending_events agrees with events.attendees")],
    "hello_miami": [("mongo_luma", "MongoDB and Luma agree on event fields"),
                    ("luma_duplicate", "a Luma key listed twice holds the same entry")],
}


def _warning_gates(app: str, run: str) -> list[Gate]:
    gates = []
    for kind, rule in WARNINGS[app]:
        sql = (
            "select c.key || '.' || coalesce(c.field, '') as key, c.source_table || ' ' || c.kind as detail "
            f"from (select * from {{batch}}) as c where c.run_id = {run} and c.kind = {literal(kind)}"
        )
        gates.append(Gate("reconcile", app, "migration.conflicts", rule, "migration.conflicts", CONFLICTS, sql=sql, severity="warning"))
    return gates


def reconcile_gates(run_id: str, existing_tables: set[str], apps=tuple(registry.APPLICATIONS)) -> list[Gate]:
    from expectations.row_compare import row_compare_gates

    run = literal(run_id)
    gates: list[Gate] = []
    for app in apps:
        gates += _ledger_gates(app, run)
        if CLASSIFICATION in existing_tables:
            gates += _raw_gates(app, run, existing_tables)
        gates += _candidate_gates(app, run, existing_tables)
        gates += row_compare_gates(app, run_id, existing_tables)
        gates += _warning_gates(app, run)
    return gates

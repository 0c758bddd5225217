"""The transform gate (SPEC §5) on the candidate tables: primary and unique keys hold, foreign keys
resolve, required columns are filled, enum-like columns hold known values.

Decision: keys (unique constraints and plain unique indexes), foreign keys and not-null columns are
read from the catalog of the live application schemas (`pipelines.targets`: the applications' own
tables, the contract), and judged on the candidate tables by queries, so the gate does not trust that the candidates were built with the
constraints in place. Enum-like values and the text keys that must not be empty are the rules of
SPEC §3/§4, listed here.
"""

from __future__ import annotations

from expectations.gates import Gate, RuleCheck, literal, rule

ENUMS = {
    ("hello_miami", "profiles", "verification_status"): ("pending", "verified"),
    ("hello_miami", "attendance", "status"): ("registered", "checked-in"),
    ("hello_miami", "surveys", "type"): ("onboarding", "annual", "event"),
    ("hello_miami", "demo_slots", "status"): ("pending", "confirmed", "canceled"),
}
# text columns a row cannot be without (an empty key or name is as bad as a null one)
NON_EMPTY = {
    ("podium", "users"): ("email",),
    ("podium", "events"): ("name", "slug", "join_code"),
    ("podium", "projects"): ("name", "join_code"),
    ("hello_miami", "profiles"): ("luma_email",),
    ("hello_miami", "events"): ("luma_event_id",),
    ("hello_miami", "badges"): ("name",),
    ("hello_miami", "pending_users"): ("email", "luma_attendee_id"),
    ("hello_miami", "surveys"): ("slug",),
}

CATALOG_SQL = """
select cl.relname, c.contype, c.conname,
       array(select a.attname from unnest(c.conkey) with ordinality k(n, o)
              join pg_attribute a on a.attrelid = c.conrelid and a.attnum = k.n order by k.o)::text[],
       fcl.relname,
       array(select a.attname from unnest(c.confkey) with ordinality k(n, o)
              join pg_attribute a on a.attrelid = c.confrelid and a.attnum = k.n order by k.o)::text[]
  from pg_constraint c
  join pg_class cl on cl.oid = c.conrelid
  left join pg_class fcl on fcl.oid = c.confrelid
 where c.connamespace = %s::regnamespace and c.contype in ('p', 'u', 'f')
union all
-- a unique index is a unique key too (Podium's ix_users_email, ix_<table>_airtable_id): one on plain
-- columns, without a predicate, that backs no constraint
select cl.relname, 'u', i.relname,
       array(select a.attname from unnest(x.indkey::int2[]) with ordinality k(n, o)
              join pg_attribute a on a.attrelid = x.indrelid and a.attnum = k.n order by k.o)::text[],
       null, null
  from pg_index x
  join pg_class i on i.oid = x.indexrelid
  join pg_class cl on cl.oid = x.indrelid
 where cl.relnamespace = %s::regnamespace and x.indisunique and x.indpred is null and x.indexprs is null
   and not exists (select from pg_constraint c where c.conindid = x.indexrelid)
 order by 1, 2, 3
"""
NOT_NULL_SQL = """
select cl.relname, array_agg(a.attname::text order by a.attnum)
  from pg_attribute a join pg_class cl on cl.oid = a.attrelid
 where cl.relnamespace = %s::regnamespace and cl.relkind = 'r' and a.attnum > 0
   and not a.attisdropped and a.attnotnull
 group by cl.relname
"""


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _key_expr(pk: list[str], alias: str = "") -> str:
    prefix = f"{alias}." if alias else ""
    return " || ' & ' || ".join(f"coalesce({prefix}{_q(c)}::text, 'null')" for c in pk)


def catalog(conn, schema: str) -> dict[str, dict]:
    """The live `schema`'s table -> {pk: [...], unique: [[...]], fks: [(cols, parent, parent_cols)], not_null: [...]}"""
    tables: dict[str, dict] = {}

    def table(name: str) -> dict:
        return tables.setdefault(name, {"pk": [], "unique": [], "fks": [], "not_null": []})

    for relname, contype, _conname, cols, parent, parent_cols in conn.execute(CATALOG_SQL, (schema, schema)).fetchall():
        if contype == "p":
            table(relname)["pk"] = list(cols)
        elif contype == "u":
            table(relname)["unique"].append(list(cols))
        else:
            table(relname)["fks"].append((list(cols), parent, list(parent_cols)))
    for relname, cols in conn.execute(NOT_NULL_SQL, (schema,)).fetchall():
        table(relname)["not_null"] = list(cols)
    return tables


def _table_gates(app: str, table: str, spec: dict) -> list[Gate]:
    schema = f"{app}_next"
    name = f"{schema}.{table}"
    asset = (schema, table)
    pk = spec["pk"] or spec["not_null"][:1]
    key = _key_expr(pk)

    def gate(file: str, **values: str) -> Gate:
        return rule("transform", file).gate(app, name, name, asset, key=key, **values)

    gates = []
    if spec["pk"]:
        gates.append(gate("primary_key", pk=", ".join(spec["pk"]), cols=", ".join(_q(c) for c in spec["pk"])))
    for cols in spec["unique"]:
        gates.append(gate("unique_key", names=", ".join(cols), col_list=", ".join(_q(c) for c in cols),
                          not_null=" and ".join(f"{_q(c)} is not null" for c in cols)))
    for cols, parent, parent_cols in spec["fks"]:
        gates.append(rule("transform", "foreign_key").gate(
            app, name, name, asset, key=_key_expr(pk, "c"), names=", ".join(cols), parent=parent,
            detail=literal(", ".join(cols) + " not found in " + schema + "." + parent),
            present=" and ".join(f"c.{_q(cc)} is not null" for cc in cols),
            parent_table=f"{schema}.{_q(parent)}",
            join=" and ".join(f"p.{_q(pc)} = c.{_q(cc)}" for cc, pc in zip(cols, parent_cols)),
        ))
    required = spec["not_null"]
    non_empty = NON_EMPTY.get((app, table), ())
    if required or non_empty:
        tests = [f"case when {_q(c)} is null then {literal(c)} end" for c in required]
        tests += [f"case when trim({_q(c)}::text) = '' then {literal(c)} end" for c in non_empty]
        cond = " or ".join([f"{_q(c)} is null" for c in required] + [f"trim({_q(c)}::text) = ''" for c in non_empty])
        gates.append(gate("required_columns", tests=", ".join(tests), cond=cond))
    for (enum_app, enum_table, column), values in ENUMS.items():
        if (enum_app, enum_table) == (app, table):
            gates.append(gate("enum_values", instance=column, column=column, names=", ".join(values), label=literal(column),
                              quoted=_q(column), allowed=", ".join(literal(v) for v in values)))
    return gates


def rule_checks(app: str) -> list[RuleCheck]:
    """The transform gate's checks of `app`'s candidate tables, before any run. Keys, foreign keys and
    required columns come from the live schema's catalog at run time: a table without one of them
    gets that check's result saying it had nothing to judge."""
    from pipelines import registry, targets

    checks = []
    for table in registry.APPLICATIONS[app].tables:
        asset = (targets.target(app).candidate_schema, table)
        checks += [rule("transform", name).check(asset) for name in ("primary_key", "unique_key", "foreign_key", "required_columns")]
        checks += [rule("transform", "enum_values").check(asset, column)
                   for (enum_app, enum_table, column) in ENUMS if (enum_app, enum_table) == (app, table)]
    return checks


def transform_gates(conn, apps=("podium", "hello_miami")) -> list[Gate]:
    from pipelines import registry, targets

    gates: list[Gate] = []
    for app in apps:
        # the live schema may hold more than the migration fills (Podium's alembic_version)
        for table, spec in sorted(catalog(conn, targets.target(app).schema).items()):
            if table in registry.APPLICATIONS[app].tables:
                gates.extend(_table_gates(app, table, spec))
    return gates

"""The one factory that turns `sql_models/**.sql` into Dagster assets.

Decisions:
- A model file holds one `select` (CTEs allowed); the layer decides how it is materialized:
  staging / intermediate: `drop table` + `create table as` in schema `staging` / `intermediate`
  (`-- index: col[, col]` header lines add indexes, then `analyze`); podium / hello_miami: inserted
  into `podium_next` / `hello_miami_next` after the target gate (`check_targets`) and
  `reset_candidate_schemas` (one transaction for both candidate schemas, inserts in foreign-key
  order read from the catalog, so a failed step leaves no half-built candidate); reconcile: this run's rows in `migration.<name>` are replaced
  (`-- upsert: key, ...` instead merges on those keys, for the count ledger that landing shares;
  `-- replace: key, ...` deletes the key slices the model covers and inserts, for run-less tables).
  Candidate tables are filled before their keys and indexes are built (deferred_constraints.py).
- Upstream deps are the `schema.table` references in the SQL (comments and function calls such
  as `staging.txt(...)` excluded), and those a `-- reads: schema.table[, ...]` header names for a
  model that reads them through a function (the Luma reading the sync shares, migration.luma_*). `raw_*` references become deps on the land assets' keys; Dagster
  treats keys nobody defines as external, so the definitions load with or without the land phase.
- Every transaction sets `cutover.run_id` (the Dagster run id) and `timezone = UTC`, so models read
  the run id with current_setting and timestamp text is the same in every session; and
  `cutover.live_wins` (registry.live_wins: the tables whose live rows win their fields).
- Every model belongs to one application and runs in that application's database (resource
  `<app>_db`, group `<app>_<layer>`): a staging model by its source (`stg_<source>__*`, the
  registry says whose), an intermediate one by its prefix (`int_<app>__*`), a candidate by its
  folder. A reconcile model is written once with placeholders and instantiated per application
  (`{app}`, `{sources}`: its sources as SQL literals, `{candidate_counts}` and `{raw_records}`:
  unions derived from the registry), keyed `[migration, <app>, <model>]`; it reads only its
  application's classification and replaces only its application's rows of the run (rows whose
  `source` is one of its sources, or whose `application` is it), so the other application's rows of
  the same run survive when both share a database.
"""

from __future__ import annotations

import re
import time
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path

import dagster as dg

from assets.executor import default_concurrency
from assets.resources import db_key
from assets.table_metadata import code_reference, table_metadata
from pipelines import registry, sql_headers

MODELS_DIR = Path(__file__).resolve().parents[2] / "sql_models"
CANDIDATE_LAYERS = tuple(registry.APPLICATIONS)
LAYER_SCHEMA = {
    "staging": "staging",
    "intermediate": "intermediate",
    **{app: f"{app}_next" for app in CANDIDATE_LAYERS},
    "reconcile": "migration",
}
# the Dagster group of a layer, after the application's name (design.md)
LAYER_GROUP = {"staging": "staging", "intermediate": "intermediate", "reconcile": "reconcile",
               **{app: "candidates" for app in CANDIDATE_LAYERS}}
# the record a quarantine row keeps, per source whose raw rows it quotes (Luma's are not quoted)
QUARANTINE_RECORD = {
    "airtable": "jsonb_build_object('id', r.id, 'createdTime', r.created_time, 'fields', r.fields)",
    "mongo": "r.document",
}
SOURCE_SCHEMAS = tuple(f"raw_{source}" for source in registry.SOURCES)
# the live tables landed as a source (assets/land/live.py): raw_live_<app>
RAW_SCHEMAS = SOURCE_SCHEMAS + tuple(f"raw_live_{app}" for app in registry.APPLICATIONS)
_REF = re.compile(
    rf"\b({'|'.join(RAW_SCHEMAS + ('staging', 'intermediate') + tuple(f'{app}_next' for app in CANDIDATE_LAYERS))})"
    r"\.([a-z_][a-z0-9_]*)\b(?!\s*\()"
)


@dataclass
class Model:
    layer: str
    name: str
    app: str
    sql: str
    description: str
    refs: set[tuple[str, str]]
    indexes: list[str] = field(default_factory=list)
    upsert_keys: list[str] = field(default_factory=list)
    replace_keys: list[str] = field(default_factory=list)

    @property
    def schema(self) -> str:
        return LAYER_SCHEMA[self.layer]

    @property
    def key(self) -> dg.AssetKey:
        if self.layer == "reconcile":  # one instance per application writes the same table
            return dg.AssetKey([self.schema, self.app, self.name])
        return dg.AssetKey([self.schema, self.name])

    @property
    def group(self) -> str:
        from assets.job_names import group_name

        return group_name(self.app, LAYER_GROUP[self.layer])

    @property
    def table(self) -> str:
        return f"{self.schema}.{self.name}"

    @property
    def label(self) -> str | None:
        """The asset's description: a candidate says it is one (not the live table), a reconcile
        instance names its application (both write the same table)."""
        who = registry.title(self.app)
        if self.layer in CANDIDATE_LAYERS:
            return f"Candidate for {who}'s live table {self.name}, built in {self.table} (the cutover copies it live). {self.description}"
        if self.layer == "reconcile":
            return f"{who}'s rows of {self.table}. {self.description}"
        return self.description or None

    @property
    def path(self) -> Path:
        return MODELS_DIR / self.layer / f"{self.name}.sql"


def application_of(layer: str, name: str) -> str:
    """The application a model file belongs to (reconcile models belong to each, see load_models)."""
    if layer in CANDIDATE_LAYERS:
        return layer
    if layer == "staging":
        source = name.removeprefix("stg_").split("__", 1)[0]
        # stg_live_<app>__<table>: the application's own live table, landed as a source
        return source.removeprefix("live_") if source.startswith("live_") else registry.application_of(source)
    app = name.removeprefix("int_").split("__", 1)[0]
    if layer == "intermediate" and app in registry.APPLICATIONS:
        return app
    raise ValueError(f"sql_models/{layer}/{name}.sql belongs to no application: name it stg_<source>__… or int_<application>__….")


def placeholders(app: str) -> dict[str, str]:
    """What a reconcile model's placeholders stand for in `app`'s instance (from the registry)."""
    def literal(text: str) -> str:
        return "'" + text.replace("'", "''") + "'"

    counts = [f"select {literal(f'{app}.{t}')} as target_table, count(*) as candidate_count from {app}_next.{t}"
              for t in registry.APPLICATIONS[app].tables]
    records = [f"select {literal(t.source)} as source, {literal(t.name)} as source_table, {t.source_id} as source_id, "
               f"{QUARANTINE_RECORD[t.source]} as record from {t.raw} as r"
               for t in registry.tables(application=app) if t.source in QUARANTINE_RECORD]
    return {
        "{app}": app,
        "{sources}": ", ".join(literal(s) for s in registry.sources_of(app)),
        "{candidate_counts}": "\n    union all ".join(counts),
        # a typed empty relation where the application has no quoted source
        "{raw_records}": "\n    union all ".join(records)
        or "select null::text as source, null::text as source_table, null::text as source_id, null::jsonb as record where false",
    }


def _parse(layer: str, path: Path, app: str | None = None) -> Model:
    text = path.read_text()
    for placeholder, value in (placeholders(app) if app else {}).items():
        text = text.replace(placeholder, value)
    fields, prose = sql_headers.header_fields(sql_headers.header_lines(text), ("index", "upsert", "replace", "reads"))
    code = sql_headers.code(text)
    description = " ".join(prose)
    reads = " ".join(fields.get("reads", []))
    model = Model(layer, path.stem, app or application_of(layer, path.stem), text.strip().rstrip(";"), description,
                  set(_REF.findall(code)) | set(_REF.findall(reads)))
    model.indexes.extend(fields.get("index", []))
    for value in fields.get("upsert", []):
        model.upsert_keys = [k.strip() for k in value.split(",")]
    for value in fields.get("replace", []):
        model.replace_keys = [k.strip() for k in value.split(",")]
    model.refs.discard((model.schema, model.name))
    return model


def load_models(apps=tuple(registry.APPLICATIONS)) -> list[Model]:
    """Every model of `apps` (default all), reconcile models once per application."""
    models = []
    for layer in LAYER_SCHEMA:
        for path in sorted((MODELS_DIR / layer).glob("*.sql")):
            if layer == "reconcile":
                models += [_parse(layer, path, app) for app in apps]
            else:
                models.append(_parse(layer, path))
    return [m for m in models if m.app in apps]


def _deps(model: Model, known: set[tuple[str, str]]) -> list[dg.AssetKey]:
    unknown = {r for r in model.refs if r[0] not in RAW_SCHEMAS and r not in known}
    if unknown:
        raise ValueError(f"sql_models/{model.layer}/{model.name}.sql references unknown models: {sorted(unknown)}")
    return [dg.AssetKey(list(ref)) for ref in sorted(model.refs)]


WORK_MEM_MB = 256


def _begin(conn, run_id: str) -> None:
    # work_mem: the models sort and hash whole tables (window functions, distinct on); the default
    # 4MB spills those to disk at production scale. 256MB shared by the steps that run at once
    # (assets/executor.py): two models side by side at 256MB each took the scale-100 dry-run's peak
    # to 1148 MiB PSS, over its 1 GiB target.
    # synchronous_commit off: a dry-run's commit does not wait for its WAL to reach the disk. Every
    # table written here is rebuilt from raw by the next dry-run, so a server crash can lose at most
    # the last commits of a run that then did not finish; cutover apply and rollback (their own
    # connections, assets/cutover/) keep the server's durable default.
    conn.execute(
        "select set_config('cutover.run_id', %s, true), set_config('timezone', 'UTC', true),"
        " set_config('work_mem', %s, true), set_config('cutover.live_wins', %s, true),"
        " set_config('synchronous_commit', 'off', true)",
        (run_id, f"{WORK_MEM_MB // default_concurrency()}MB", ",".join(registry.live_wins())),
    )


def _ensure_helpers(conn, files: tuple[str, ...] = ("functions.sql", "raw_contract.sql")) -> None:
    """SQL helper functions and the raw layer's shape, serialized so parallel steps do not race."""
    with conn.transaction():
        conn.execute("select pg_advisory_xact_lock(hashtext('cutover.sql_models.helpers'))")
        for name in files:
            conn.execute((MODELS_DIR / name).read_text())


def ensure_raw_contract(conn) -> None:
    """The raw tables landing has not written yet, empty (the Luma sync reads raw_luma.guests)."""
    _ensure_helpers(conn, ("raw_contract.sql",))


def _count(conn, table: str) -> int:
    return conn.execute(f"select count(*) from {table}").fetchone()[0]


def _columns(conn, sql: str) -> list[str]:
    cur = conn.execute(f"select * from ({sql}) as model limit 0")
    return [c.name for c in cur.description]


@contextmanager
def named_in_errors(model: Model):
    """A model PostgreSQL refuses is one sentence naming its file and the server's primary message
    (the step's key names no file, and one step builds all candidate tables)."""
    import psycopg

    try:
        yield
    except psycopg.Error as exc:
        from pipelines.errors import CutoverError

        primary = exc.diag.message_primary or str(exc).splitlines()[0]
        raise CutoverError(f"model sql_models/{model.layer}/{model.name}.sql failed in PostgreSQL: {primary}.") from exc


def build_table(conn, model: Model) -> None:
    # unlogged: staging and intermediate tables are rebuilt from raw by every dry-run and read only
    # within it (by later models and the reconcile gate), so they skip the WAL. A server crash
    # empties them; the run it interrupted fails, and a gate run over emptied tables fails too (the
    # reconcile gate's "every landed record is migrated, merged or quarantined" reads the
    # classification). The candidate and migration tables, which apply copies, stay logged.
    # autovacuum off: the step analyzes the table itself; autovacuum's own analyze of a fresh
    # table only competes with the next models for the two cores.
    conn.execute(f"drop table if exists {model.table}")
    conn.execute(f"create unlogged table {model.table} with (autovacuum_enabled = off) as {model.sql}")
    for i, cols in enumerate(model.indexes):
        conn.execute(f"create index {model.name}_ix{i} on {model.table} ({cols})")
    conn.execute(f"analyze {model.table}")


# A replace model's indexes are dropped and built again around its insert when the table keeps
# fewer rows than the model writes: one index build over the whole table cost about half of
# maintaining the indexes row by row for the rows inserted (migration.id_lineage, scale 100: podium's
# 1.35 M rows 13.7-15.9 s through its three indexes, 6.2-9.3 s inserted bare and indexed after),
# while below that share the rebuild re-sorts about as many kept rows as it saves (hello_miami's
# 0.7 M rows beside podium's 1.35 M: 8.7-10.7 s row by row, 8.2-9.5 s rebuilt).
REBUILD_INDEXES_BELOW = 1


def own_rows(model: Model, columns: list[str]) -> str:
    """The condition selecting a reconcile model's own application's rows of its table."""
    if "application" in columns:
        return f"application = '{model.app}'"
    return f"source in ({placeholders(model.app)['{sources}']})"


def insert_rows(conn, model: Model) -> None:
    columns = _columns(conn, model.sql)
    cols = ", ".join(columns)
    indexes_after = nullcontext()
    if model.layer == "reconcile" and model.replace_keys:
        # a delete of the slices this run covers and a plain insert: an upsert of 1.5 M lineage
        # rows rewrites every one of them through the conflict path
        keys = ", ".join(model.replace_keys)
        # two runs replacing slices of one table take turns: the index rebuild below needs the table
        # alone, and asking for that after a delete could deadlock with another run's delete
        conn.execute(f"lock table {model.table} in share row exclusive mode")
        conn.execute(f"delete from {model.table} where ({keys}) in (select distinct {keys} from ({model.sql}) as model)")
        written = _count(conn, f"({model.sql}) as model")
        if written and _count(conn, model.table) < REBUILD_INDEXES_BELOW * written:
            from assets.transform.deferred_constraints import constraints_deferred

            indexes_after = constraints_deferred(conn, tables=[model.table])
        conflict = ""
    elif model.layer == "reconcile" and model.upsert_keys:
        updates = ", ".join(f"{c} = excluded.{c}" for c in cols.split(", ") if c not in model.upsert_keys)
        conflict = f" on conflict ({', '.join(model.upsert_keys)}) do update set {updates}"
    else:
        conflict = ""
        if model.layer == "reconcile":
            conn.execute(f"delete from {model.table} where run_id = current_setting('cutover.run_id')"
                         f" and {own_rows(model, columns)}")
    with indexes_after:
        conn.execute(f"insert into {model.table} ({cols}) select {cols} from ({model.sql}) as model{conflict}")
    if model.layer == "reconcile":
        # the reconcile gates join this run's slice; autovacuum has not analysed it yet, and stale
        # statistics (a 200k-row slice estimated at 760 rows) made the planner choose nested loops:
        # scale 100's reconcile gate went from 27 s to 117 s before this
        conn.execute(f"analyze {model.table}")


def _fk_order(conn, models: list[Model]) -> list[Model]:
    """Candidate models in the order their tables' foreign keys require (read from the catalog)."""
    edges = conn.execute(
        """
        select distinct c.conrelid::regclass::text, c.confrelid::regclass::text
          from pg_constraint c
         where c.contype = 'f' and c.conrelid <> c.confrelid
           and c.connamespace::regnamespace::text = any(%s)
        """,
        (sorted({m.schema for m in models}),),
    ).fetchall()
    tables = {m.table for m in models}
    parents: dict[str, set[str]] = {t: set() for t in tables}
    for child, parent in edges:
        if child in tables and parent in tables:
            parents[child].add(parent)
    ordered: list[Model] = []
    pending = sorted(models, key=lambda m: m.table)
    while pending:
        placed = {m.table for m in ordered}
        ready = [m for m in pending if parents[m.table] <= placed] or pending[:1]
        ordered.extend(ready)
        pending = [m for m in pending if m not in ready]
    return ordered


def _table_asset(model: Model, deps: list[dg.AssetKey]) -> dg.AssetsDefinition:
    @dg.asset(
        key=model.key,
        group_name=model.group,
        deps=deps,
        description=model.label,
        required_resource_keys={db_key(model.app)},
        kinds={"sql", "postgres"},
        metadata=code_reference(model.path),
    )
    def _compute(context):
        started = time.monotonic()
        with getattr(context.resources, db_key(model.app)).connect(autocommit=True) as conn:
            if model.layer == "staging":
                # the raw contract only for a model reading a landed source: those wait for the
                # landing, while a live table's staging runs beside it (assets/executor.py), and its
                # `create table if not exists` racing dlt's own create failed the landing
                reads_sources = any(schema in SOURCE_SCHEMAS for schema, _ in model.refs)
                _ensure_helpers(conn, ("functions.sql", "raw_contract.sql") if reads_sources else ("functions.sql",))
            with conn.transaction(), named_in_errors(model):
                _begin(conn, context.run.run_id)
                if model.layer == "reconcile":
                    insert_rows(conn, model)
                    rows = conn.execute(
                        f"select count(*) from {model.table} where run_id = current_setting('cutover.run_id')"
                        f" and {own_rows(model, _columns(conn, model.sql))}"
                    ).fetchone()[0]
                else:
                    build_table(conn, model)
                    rows = _count(conn, model.table)
            metadata = table_metadata(conn, model.table, rows)
        return dg.MaterializeResult(metadata={**metadata, "duration_s": round(time.monotonic() - started, 3)})

    return _compute


def _candidate_asset(app: str, models: list[Model], deps: dict[dg.AssetKey, list[dg.AssetKey]]) -> dg.AssetsDefinition:
    """One step building every candidate table of `app` in its database."""
    specs = [
        dg.AssetSpec(m.key, group_name=m.group, deps=deps[m.key], description=m.label, kinds={"sql", "postgres"},
                     metadata=code_reference(m.path))
        for m in models
    ]

    @dg.multi_asset(name=f"candidate_tables_{app}", specs=specs, required_resource_keys={db_key(app)})
    def _compute(context):
        from assets.transform.deferred_constraints import constraints_deferred
        from migrations.ddl import reset_candidate_schemas

        results = []
        with getattr(context.resources, db_key(app)).connect(autocommit=True) as conn:
            check_targets(conn, context.run.run_id, models)
        with getattr(context.resources, db_key(app)).connect(autocommit=True) as conn, conn.transaction():
            _begin(conn, context.run.run_id)
            reset_candidate_schemas(conn, (app,))
            ordered = _fk_order(conn, models)
            with constraints_deferred(conn, sorted({m.schema for m in models})):
                for model in ordered:
                    started = time.monotonic()
                    with named_in_errors(model):
                        insert_rows(conn, model)
                    results.append((model, time.monotonic() - started))
            for model, _seconds in results:
                conn.execute(f"analyze {model.table}")
            results = [(model, table_metadata(conn, model.table, _count(conn, model.table)), seconds)
                       for model, seconds in results]
        for model, metadata, seconds in results:
            yield dg.MaterializeResult(asset_key=model.key, metadata={**metadata, "duration_s": round(seconds, 3)})

    return _compute


def check_targets(conn, run_id: str, models: list[Model]) -> None:
    """The target gate (expectations/target.py) of every application the candidate models fill,
    before any candidate row: recorded in migration.gate_results (committed, so the report names
    it), then a failure stops the candidate step. `conn` is in autocommit mode."""
    from expectations.phase import record
    from expectations.target import target_outcomes
    from pipelines import targets
    from pipelines.errors import GateFailed

    outcomes = []
    with conn.transaction():
        _begin(conn, run_id)
        for app in sorted({m.layer for m in models}):
            outcomes += target_outcomes(conn, targets.target(app), {m.name: m.sql for m in models if m.layer == app})
    record(conn, run_id, outcomes)
    failed = [example for o in outcomes for example in o.examples]
    if failed:
        more = f" (and {len(failed) - 5} more)" if len(failed) > 5 else ""
        raise GateFailed(f"the target gate failed, no candidate row was written: {'; '.join(failed[:5])}{more}.")


def build_assets() -> list[dg.AssetsDefinition]:
    from assets.table_metadata import linked_to_git

    models = load_models()
    known = {(m.schema, m.name) for m in models}
    deps = {m.key: _deps(m, known) for m in models}
    assets = [_table_asset(m, deps[m.key]) for m in models if m.layer not in CANDIDATE_LAYERS]
    for app in CANDIDATE_LAYERS:
        candidates = [m for m in models if m.layer == app]
        if candidates:
            assets.append(_candidate_asset(app, candidates, deps))
    return linked_to_git(assets)

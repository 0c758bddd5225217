"""The land phase as Dagster assets (groups `podium_raw`, `hello_miami_raw`): one multi-asset, run by
dagster-dlt. Each source lands in its application's database (resource `<app>_db`); a job that
selects one application's raw group lands only that application's sources (the asset subsets).

Asset keys are [raw_<source>, table]. The table lists are the registry's (pipelines/registry.py, the
same names the dlt resources use), which imports nothing, so loading the code location never
imports dlt; the work happens in `assets.land.materialize.materialize`. A source whose dlt module is not part of this
build has no assets.

One step for all sources (not one per source) because Dagster's in-process executor runs steps one
after another, and the sources land faster at once (assets/land/concurrent.py). The cost: a
source that fails to land fails the step, so neither application's transform starts in that run of
the combined job (the per-application jobs do not share the step); the other sources' raw tables
are landed and recorded all the same.

Each materialization carries the catalog's dagster/row_count and dagster/column_schema,
rows_landed, source_count and duration_s (assets/land/materialize.py); a failed land gate fails
the step after the tables' materializations are recorded (exit 3 in `cutover land`).
"""

import importlib.util

import dagster as dg

from assets.job_names import raw_group
from assets.resources import db_key
from pipelines import registry

TABLES = {source: registry.table_names(source) for source in registry.SOURCES}


def _available(source: str) -> bool:
    try:
        return importlib.util.find_spec(f"pipelines.{source}.source") is not None
    except ModuleNotFoundError:
        return False


# the Luma keys listed again in one landing: written by the Luma source beside its tables, read by
# staging (stg_luma__duplicates); not a registry table, so declared here for its group and label
DUPLICATES = dg.AssetSpec(["raw_luma", "duplicates"], group_name=raw_group("luma"),
                          description="raw_luma.duplicates: Hello Miami's Luma entries listed again under a key the same landing already holds.")


def land_assets(*sources: str) -> dg.AssetsDefinition:
    """One step landing `sources` (default: every source of this build) at once; a subset
    selection lands only the sources that own a selected table."""
    sources = sources or tuple(source for source in TABLES if _available(source))
    specs = [
        dg.AssetSpec(key=dg.AssetKey([f"raw_{source}", table]), group_name=raw_group(source), kinds={"dlt", "postgres"},
                     description=f"raw_{source}.{table}: {registry.SOURCES[source].description}")
        for source in sources
        for table in TABLES[source]
    ]
    databases = {db_key(registry.application_of(source)) for source in sources}

    @dg.multi_asset(name="land_sources", specs=specs, can_subset=True, required_resource_keys={"sources", *databases})
    def _land(context: dg.AssetExecutionContext):
        from assets.land.materialize import materialize

        selected = [s for s in TABLES if s in {key.path[0].removeprefix("raw_") for key in context.selected_asset_keys}]
        # each source lands in its application's database
        urls = {s: getattr(context.resources, db_key(registry.application_of(s))).url() for s in selected}
        yield from materialize(context, selected, context.resources.sources.snapshot(), urls)

    return _land


def _live_assets() -> list[dg.AssetsDefinition]:
    from assets.land.live import live_assets

    return [live_assets(app) for app in registry.APPLICATIONS]


defs = dg.Definitions(assets=[land_assets(), DUPLICATES, *_live_assets()])

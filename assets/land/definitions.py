"""The land phase as Dagster assets (group `land`): one multi-asset per source, run by dagster-dlt.

Asset keys are [raw_<source>, table]. The table lists are the contract of SPEC §2 (the same names
the dlt resources use), written out here so that loading the code location never imports dlt; the
work happens in `pipelines.land_dagster.materialize`. A source whose dlt module is not part of this
build has no assets. Each materialization carries rows_landed, source_count and duration_s; a failed
land gate fails the step after the tables' materializations are recorded (exit 3 in `cutover land`).
"""

import importlib.util

import dagster as dg

from assets.resources import PostgresResource, SourcesResource

TABLES = {
    "airtable": ["users", "events", "projects", "votes", "referrals"],
    "mongo": ["profiles", "projects", "badges", "member_badges", "events", "attendance", "pending_users",
              "luma_webhooks", "surveys", "survey_responses", "demo_slots"],
    "luma": ["events", "guests"],
}
DESCRIPTIONS = {
    "airtable": "Podium's Airtable base, landed unchanged (id, created_time, fields jsonb).",
    "mongo": "Hello Miami's MongoDB collection, landed unchanged (_id, timestamps, document jsonb).",
    "luma": "Luma events API entries, landed unchanged (keys, timestamps, record jsonb); merge.",
}


def _available(source: str) -> bool:
    try:
        return importlib.util.find_spec(f"pipelines.{source}.source") is not None
    except ModuleNotFoundError:
        return False


def land_assets(source: str) -> dg.AssetsDefinition:
    specs = [
        dg.AssetSpec(key=dg.AssetKey([f"raw_{source}", table]), group_name="land", kinds={"dlt", "postgres"},
                     description=DESCRIPTIONS[source])
        for table in TABLES[source]
    ]

    @dg.multi_asset(name=f"land_{source}", specs=specs, can_subset=True)
    def _land(context: dg.AssetExecutionContext, sources: SourcesResource, postgres: PostgresResource):
        from pipelines.land_dagster import materialize

        yield from materialize(context, source, sources.snapshot(), postgres.url())

    return _land


defs = dg.Definitions(assets=[land_assets(source) for source in TABLES if _available(source)])

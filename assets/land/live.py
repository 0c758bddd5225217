"""The live target landed as a source (issue 14, SPEC §4 "Rows already live"): one step per
application in its land group (`<app>_raw`), asset keys [raw_live_<app>, table].

In the land phase rather than the candidate step, so the models read the live rows the way they
read every other source: staging models over `raw_live_<app>` (rename/cast only), then the
intermediate models match them by natural key. `cutover land --app` and every dry-run job select the
land group, so both land it. Its own step (not part of `land_sources`) because it needs only the
application's database, not the dlt sources, and an application's live tables land whether or not
its sources are reachable. The landing replaces `raw_live_<app>` in one transaction and records
`migration.live_landed` for the run, which `cutover apply` compares with the live tables then
(`check_live_unchanged`): a write after this step is refused at apply, never lost.
"""

from __future__ import annotations

import dagster as dg

from assets.job_names import group_name
from assets.resources import db_key
from pipelines import registry


def live_keys(app: str) -> list[dg.AssetKey]:
    return [dg.AssetKey([f"raw_live_{app}", table]) for table in registry.APPLICATIONS[app].tables]


def live_assets(app: str) -> dg.AssetsDefinition:
    who = registry.title(app)
    specs = [dg.AssetSpec(key, group_name=group_name(app, "raw"), kinds={"postgres"}, skippable=True,
                          description=f"{key.path[0]}.{key.path[1]}: {who}'s live table {key.path[1]} as the dry-run found it, copied unchanged.")
             for key in live_keys(app)]

    @dg.multi_asset(name=f"land_live_{app}", specs=specs, required_resource_keys={db_key(app)})
    def _land(context):
        from assets.table_metadata import table_metadata
        from pipelines import live, targets

        with getattr(context.resources, db_key(app)).connect(autocommit=True) as conn:
            with conn.transaction():
                found = live.land(conn, targets.target(app), context.run.run_id)
            results = [(table, table_metadata(conn, f"{live.raw_schema(app)}.{table}", rows)) for table, rows in found.items()]
        for table, metadata in results:
            yield dg.MaterializeResult(asset_key=dg.AssetKey([f"raw_live_{app}", table]), metadata=metadata)

    return _land

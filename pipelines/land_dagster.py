"""The land step inside Dagster: dagster-dlt runs the dlt pipeline, then the count ledger and the
land gate are recorded for the Dagster run (run id = the ledger's run key).

Kept out of assets/land/definitions.py so that loading the code location never imports dlt.
"""

from __future__ import annotations

import time

from pipelines import land


def translator(source: str):
    """Asset keys [raw_<source>, table] in group `land`, no upstream source assets."""
    import dagster as dg
    from dagster_dlt import DagsterDltTranslator

    class RawTranslator(DagsterDltTranslator):
        def get_asset_spec(self, data):
            spec = super().get_asset_spec(data)
            return spec.replace_attributes(key=dg.AssetKey([f"raw_{source}", str(data.resource.table_name)]), deps=[], group_name="land")

    return RawTranslator()


def materialize(context, source: str, snapshot_dir: str | None, url: str):
    """Yield one MaterializeResult per landed table (rows landed, source count, duration); raise
    GateFailed after yielding when the land gate fails."""
    import dagster as dg
    from dagster_dlt import DagsterDltResource

    from pipelines.database import connect
    from pipelines.errors import GateFailed

    run_id = context.run.run_id
    with connect(url) as conn:
        land.record_run(conn, run_id, context.job_name or "land", snapshot_dir)
        conn.commit()
    pipeline = land.make_pipeline(source, url)
    started = time.monotonic()
    results = land.run_with_fallback(source, snapshot_dir, lambda dlt_source: list(DagsterDltResource().run(
        context=context, dlt_source=dlt_source, dlt_pipeline=pipeline,
        dagster_dlt_translator=translator(source), **land.RUN_KWARGS,
    )))
    seconds = time.monotonic() - started
    ids = land.load_ids(pipeline.last_trace.last_load_info)
    selected = [key.path[-1] for key in context.selected_asset_keys]
    gate_error = None
    with connect(url) as conn:
        try:
            figures = land.after_load(conn, source, snapshot_dir, run_id, ids, seconds, tables=selected, gate=False)
        except GateFailed as exc:
            gate_error = exc
            figures = land.last_figures
    for result in results:
        table = result.asset_key.path[-1]
        numbers = figures.get(table, {})
        yield dg.MaterializeResult(
            asset_key=result.asset_key,
            metadata={
                **(result.metadata or {}),
                "rows_landed": dg.MetadataValue.int(int(numbers.get("landed") or 0)),
                "source_count": dg.MetadataValue.int(int(numbers.get("source_count") or 0)),
                "duration_s": dg.MetadataValue.float(round(seconds, 3)),
                "snapshot_dir": dg.MetadataValue.text(snapshot_dir or "live"),
            },
        )
    if gate_error is not None:
        raise gate_error

"""The land step inside Dagster: dagster-dlt runs the dlt pipeline, then the count ledger is
recorded for the Dagster run (run id = the ledger's run key); the land gate is the GX check on
the raw assets (assets/gates/checks.py).

Kept out of assets/land/definitions.py so that loading the code location never imports dlt.
"""

from __future__ import annotations

from pipelines import land


def translator(source: str):
    """Asset keys [raw_<source>, table] in the application's group `<app>_raw`, no upstream source assets."""
    import dagster as dg
    from dagster_dlt import DagsterDltTranslator

    from assets.job_names import raw_group

    class RawTranslator(DagsterDltTranslator):
        def get_asset_spec(self, data):
            spec = super().get_asset_spec(data)
            return spec.replace_attributes(key=dg.AssetKey([f"raw_{source}", str(data.resource.table_name)]), deps=[], group_name=raw_group(source))

    return RawTranslator()


def materialize(context, sources: list[str], snapshot_dir: str | None, urls: dict[str, str]):
    """Land `sources` at once (assets/land/concurrent.py), each into its database (`urls`: source ->
    its application's database), and yield one MaterializeResult per landed table (rows landed,
    source count, duration). The run row goes into every database the run writes, listing the
    applications it covers. A source that failed to land, or whose count ledger failed, is raised
    after the others' materializations are yielded."""
    from pipelines import registry
    from pipelines.database import connect
    from assets.land.concurrent import land_each, warm_imports

    run_id = context.run.run_id
    apps = [app for app in registry.APPLICATIONS if app in {registry.application_of(s) for s in sources}]
    for url in dict.fromkeys(urls.values()):
        with connect(url) as conn:
            land.record_run(conn, run_id, context.job_name or "land", snapshot_dir, apps)
            conn.commit()
    # dlt's first pipeline loads its plugins (imports): in this thread, before the landing threads,
    # after the imports of a landing (land_each's own call is then free), made long-lived there
    warm_imports(sources)
    pipelines = {source: land.make_pipeline(source, urls[source]) for source in sources}
    outcomes = land_each(sources, lambda source: _run_dlt(context, source, pipelines[source], snapshot_dir, urls[source]))
    failures = []
    for outcome in outcomes:
        if outcome.error is not None:
            failures.append(outcome.error)
            continue
        try:
            yield from _materializations(context, outcome, snapshot_dir, urls[outcome.source])
        except Exception as exc:
            failures.append(exc)
    if failures:
        raise in_scope(failures[0], context.job_name, sources)


def in_scope(error: Exception, job_name: str | None, sources: list[str]) -> Exception:
    """A missing setting said for the applications the run covers, so that a run of both names
    `--app` as the way to run the other alone (issue 18). A job `<app>_…` covers that application
    (shared design: `podium_land`, `hello_miami_dry_run`), `land` and `dry_run` every one, any other
    (the UI's ad-hoc materialization) the applications of the sources it lands."""
    from pipelines import registry
    from pipelines.settings import MissingSetting

    if not isinstance(error, MissingSetting):
        return error
    own = [app for app in registry.APPLICATIONS if (job_name or "").startswith(f"{app}_")]
    if own:
        covering = own
    elif job_name in ("land", "dry_run"):
        covering = list(registry.APPLICATIONS)
    else:
        covering = [app for app in registry.APPLICATIONS if app in {registry.application_of(s) for s in sources}]
    return error.within(covering=covering)


def _run_dlt(context, source: str, pipeline, snapshot_dir: str | None, url: str):
    """dagster-dlt's run of one source (in a landing thread); (its results, the dlt pipeline)."""
    from dagster_dlt import DagsterDltResource

    results = land.run_with_fallback(source, snapshot_dir, lambda dlt_source: list(DagsterDltResource().run(
        context=context, dlt_source=dlt_source, dlt_pipeline=pipeline,
        dagster_dlt_translator=translator(source), **land.RUN_KWARGS,
    )), pipeline, url)
    return results, pipeline


def _materializations(context, outcome, snapshot_dir: str | None, url: str):
    from pathlib import Path

    import dagster as dg

    from assets.table_metadata import table_metadata
    from pipelines.database import connect

    results, pipeline = outcome.value
    ids = land.load_ids(pipeline.last_trace.last_load_info)
    prefix = f"raw_{outcome.source}"
    selected = [key.path[-1] for key in context.selected_asset_keys if key.path[0] == prefix]
    with connect(url) as conn:
        figures = land.after_load(conn, outcome.source, snapshot_dir, context.run.run_id, ids, outcome.seconds,
                                  tables=selected)
        # the catalog's view of each raw table (dlt's own schema lacks its constraints)
        catalog = {r.asset_key: table_metadata(conn, f"{prefix}.{r.asset_key.path[-1]}",
                                               int(figures.get(r.asset_key.path[-1], {}).get("landed") or 0))
                   for r in results}
    for result in results:
        numbers = figures.get(result.asset_key.path[-1], {})
        # dlt's "jobs" name its load files by their absolute local path: never in metadata
        kept = {k: v for k, v in (result.metadata or {}).items() if k != "jobs"}
        yield dg.MaterializeResult(
            asset_key=result.asset_key,
            metadata={
                **kept,
                **catalog[result.asset_key],
                "rows_landed": dg.MetadataValue.int(int(numbers.get("landed") or 0)),
                "source_count": dg.MetadataValue.int(int(numbers.get("source_count") or 0)),
                "duration_s": dg.MetadataValue.float(round(outcome.seconds, 3)),
                # the folder's name only: a local path never goes into metadata (migration.runs keeps it)
                "snapshot": dg.MetadataValue.text(Path(snapshot_dir).name if snapshot_dir else "live"),
            },
        )

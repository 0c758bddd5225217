"""The sync's landing step: the landing's own Luma dlt source, restricted to a time window, merged
into raw_luma (write disposition merge on the raw keys, as the land phase lands Luma).

The sync uses its own dlt pipeline name (`sync_luma`) in the land phase's pipelines folder, so a
sync never replays or trips over a land run's local state; like the land phase it drops its local
state first, so a killed sync's half-built package is never loaded later.
"""

from __future__ import annotations

from datetime import datetime


def _pipeline(url: str):
    import dlt

    from pipelines.database import dlt_credentials
    from pipelines.land import pipelines_dir

    destination = dlt.destinations.postgres(credentials=dlt_credentials(url), create_indexes=False)
    return dlt.pipeline(pipeline_name="sync_luma", pipelines_dir=pipelines_dir(url), destination=destination,
                        dataset_name="raw_luma", progress=None)


def land_window(url: str, start: datetime, end: datetime, base_url: str | None = None, api_key: str | None = None) -> tuple[str | None, int]:
    """Merge the window's events and their guests into raw_luma. Returns (this load's id or None
    when nothing was loaded, HTTP requests sent)."""
    from pipelines.land import RUN_KWARGS, unwrap
    from pipelines.luma.client import RequestStats
    from pipelines.luma.source import luma_source

    stats = RequestStats()  # counted in the source's HTTP adapter: every request sent, retries included
    source = luma_source(window_start=start, window_end=end, base_url=base_url, api_key=api_key, stats=stats)
    pipeline = _pipeline(url).drop()  # drop() hands back the re-initialized pipeline
    try:
        info = pipeline.run(source, **RUN_KWARGS)
    except Exception as exc:
        raise unwrap(exc) from exc
    info.raise_on_failed_jobs()
    load_ids = list(info.loads_ids or [])
    return (load_ids[-1] if load_ids else None), stats.requests

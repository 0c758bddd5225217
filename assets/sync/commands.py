"""`cutover sync-luma`: one incremental Luma sync, as the Dagster job `sync_luma` (in process, so it
shows in the run history). Exit 0 also when another sync was running (it says so), 1 on error."""

from __future__ import annotations


def run(args) -> int:
    from assets.cutover.locks import RUN_TAGS
    from assets.cutover.outcome import raise_for_failure, run_config
    from assets.runner import run_job

    result = run_job("sync_luma", run_config=run_config(args), tags=RUN_TAGS, quiet=not getattr(args, "verbose", False))
    raise_for_failure(result)
    from assets.sync.report import last_sync_message
    from pipelines.database import connect, database_url

    with connect(database_url()) as conn:
        print(last_sync_message(conn, result.run_id))
    return 0

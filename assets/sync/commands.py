"""`cutover sync-luma`: one incremental Luma sync, as the Dagster job `sync_luma` (in process, so it
shows in the run history). Exit 0 also when another sync was running (it says so), 1 on error.
The sync is Hello Miami's: it runs in Hello Miami's database (`HELLO_MIAMI_DATABASE_URL`, else
`DATABASE_URL`), which the CLI brings to the latest migration first (`--app` defaults to
hello_miami for this command, so Podium's database is not touched)."""

from __future__ import annotations


def run(args) -> int:
    from assets.cutover.locks import RUN_TAGS
    from assets.cutover.outcome import raise_for_failure, run_config
    from assets.runner import run_job
    from assets.sync.luma_sync import database_url

    url = database_url()
    result = run_job("sync_luma", run_config=run_config(args), tags=RUN_TAGS, quiet=not getattr(args, "verbose", False))
    raise_for_failure(result)
    from assets.sync.report import last_sync_message
    from pipelines.database import connect

    with connect(url) as conn:
        print(last_sync_message(conn, result.run_id))
    return 0

"""`cutover sync-luma`: one incremental Luma sync, as the Dagster job `sync_luma` (in process, so it
shows in the run history). Exit 0 also when another sync was running (it says so), 1 on error.
The sync is Hello Miami's: it runs in Hello Miami's database (`HELLO_MIAMI_DATABASE_URL`, else
`DATABASE_URL`), brought to the latest migration first like every phase command's."""

from __future__ import annotations


def run(args) -> int:
    from assets.cutover.locks import RUN_TAGS
    from assets.cutover.outcome import raise_for_failure, run_config
    from assets.runner import run_job
    from assets.sync.luma_sync import database_url

    url = database_url()
    _migrated(url)
    result = run_job("sync_luma", run_config=run_config(args), tags=RUN_TAGS, quiet=not getattr(args, "verbose", False))
    raise_for_failure(result)
    from assets.sync.report import last_sync_message
    from pipelines.database import connect

    with connect(url) as conn:
        print(last_sync_message(conn, result.run_id))
    return 0


def _migrated(url: str) -> None:
    """Hello Miami's database at the latest migration: the CLI migrates DATABASE_URL's, which is
    another one when HELLO_MIAMI_DATABASE_URL is set (a no-op when it is there)."""
    import migrations
    from pipelines.database import check_server, database_url as default_url

    if url != default_url():
        check_server(url)
        migrations.upgrade(url)

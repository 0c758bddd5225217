"""`cutover land [--snapshot DIR] [--app APP]`: run Dagster job `land` (or `<app>_land`: that
application's sources only, into its database) in process (it shows in the run history).

Exit 0 when every source landed and the land gate passed, 3 when the gate failed (the failed checks
are in migration.gate_results for the run), 1 on any other error, in one sentence.
"""

from __future__ import annotations

import os
import sys


def run(args) -> int:
    from assets.cutover.outcome import first_failure
    from assets.job_names import job_name
    from assets.runner import databases, print_notes, run_job
    from pipelines import registry
    from pipelines.database import connect
    from pipelines.errors import CutoverError, GateFailed
    from pipelines.ledger import record_run_end

    app = getattr(args, "app", None)
    apps = [app] if app else list(registry.APPLICATIONS)
    config: dict = {}
    snapshot = getattr(args, "snapshot", None)
    if snapshot:
        config = {"resources": {"sources": {"config": {"snapshot_dir": os.path.abspath(snapshot)}}}}
    result = run_job(job_name("land", app), run_config=config, quiet=not getattr(args, "verbose", False), apps=apps)
    failed, counts = [], []
    for url in databases(apps):  # the run's rows are in each database it landed into
        with connect(url) as conn:
            record_run_end(conn, result.run_id, "succeeded" if result.success else "failed", passed=result.success)
            failed += conn.execute(
                """
                select message from migration.gate_results
                 where run_id = %s and phase = 'land' and severity = 'error' and not passed
                 order by name
                """,
                (result.run_id,),
            ).fetchall()
            counts += conn.execute(
                "select source, source_table, source_count, landed from migration.count_ledger where run_id = %s order by 1, 2",
                (result.run_id,),
            ).fetchall()
            conn.commit()
    counts.sort()
    print_notes("land", result.run_id, apps)
    if result.success:
        for source, table, reported, landed in counts:
            print(f"{source}.{table}: landed {landed} of {reported}")
        print(f"land run {result.run_id}: every source landed and the land gate passed.")
        return 0
    if failed:
        more = f" (and {len(failed) - 3} more)" if len(failed) > 3 else ""
        raise GateFailed(f"the land gate failed in run {result.run_id}: " + "; ".join(row[0] for row in failed[:3]) + more + ".")
    message = first_failure(result) or "the land job failed"
    raise CutoverError(f"{message} (run {result.run_id})")


if __name__ == "__main__":
    sys.exit(run(None))

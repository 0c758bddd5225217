"""`cutover land [--snapshot DIR]`: run Dagster job `land` in process (it shows in the run history).

Exit 0 when every source landed and the land gate passed, 3 when the gate failed (the failed checks
are in migration.gate_results for the run), 1 on any other error, in one sentence.
"""

from __future__ import annotations

import os
import sys


def run(args) -> int:
    from assets.cutover.outcome import first_failure
    from assets.runner import print_notes, run_job
    from pipelines.database import connect
    from pipelines.errors import CutoverError, GateFailed
    from pipelines.ledger import record_run_end

    config: dict = {}
    snapshot = getattr(args, "snapshot", None)
    if snapshot:
        config = {"resources": {"sources": {"config": {"snapshot_dir": os.path.abspath(snapshot)}}}}
    result = run_job("land", run_config=config, quiet=not getattr(args, "verbose", False))
    with connect() as conn:
        record_run_end(conn, result.run_id, "succeeded" if result.success else "failed", passed=result.success)
        failed = conn.execute(
            """
            select message from migration.gate_results
             where run_id = %s and phase = 'land' and severity = 'error' and not passed
             order by name
            """,
            (result.run_id,),
        ).fetchall()
        counts = conn.execute(
            "select source, source_table, source_count, landed from migration.count_ledger where run_id = %s order by 1, 2",
            (result.run_id,),
        ).fetchall()
        conn.commit()
    print_notes("land", result.run_id)
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

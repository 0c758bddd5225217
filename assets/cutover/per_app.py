"""Apply or roll back each application on its own (issue 13 "Per application"): the named one, or
every application in registry order, each in its own transaction in its own database
(pipelines.targets), each judged by its own gates.

Decisions:
- One application refused (its gates failed, its candidates changed, nothing to roll back …) does
  not hold the other back: without `--app` the other one is still applied (or rolled back), and the
  command then exits 3 with one sentence naming the refused application and why, and what happened
  to the other. An error (exit 1: the lock was not free, a copy failed) is handled the same way.
- migration.runs records the command's run in every database it worked in: 'refused' / 'failed'
  where an application of that database was, else 'success', or 'noop' when nothing changed there.
"""

from __future__ import annotations

from pipelines.errors import CutoverError, GateFailed


def _record(url: str, run_id: str, job: str, status: str | None = None) -> None:
    from pipelines.database import connect
    from pipelines.ledger import record_run_end, record_run_start

    with connect(url, autocommit=True) as conn:
        if status is None:
            record_run_start(conn, run_id, job, None, None)
        else:
            record_run_end(conn, run_id, status, passed=status in ("success", "noop"))


def each_application(run_id: str, job: str, app: str | None, step, done_status: str, log=print) -> dict:
    """`step(target)` for the named application or each one; returns {app: outcome}. Raises GateFailed
    (some refused) or CutoverError (some failed) naming every application's outcome."""
    from pipelines import targets

    outcomes: dict[str, dict] = {}
    problems: dict[str, BaseException] = {}
    for url, apps in targets.by_database([app] if app else None).items():
        _record(url, run_id, job)
        for name in apps:
            try:
                outcomes[name] = step(targets.target(name))
                log(f"{name}: {outcomes[name]['message']}")
            except (GateFailed, CutoverError) as exc:
                problems[name] = exc
            except BaseException:
                _record(url, run_id, job, "failed")
                raise
        mine = [problems[a] for a in apps if a in problems]
        statuses = {outcomes[a]["status"] for a in apps if a in outcomes}
        if mine:
            status = "failed" if any(not isinstance(e, GateFailed) for e in mine) else "refused"
        else:
            status = "success" if done_status in statuses else "noop"
        _record(url, run_id, job, status)
    if problems:
        parts = [f"{name}: {str(exc).rstrip('.')}" for name, exc in problems.items()]
        parts += [f"{name} went ahead: {outcome['message'].rstrip('.')}" for name, outcome in outcomes.items()]
        error = CutoverError if any(not isinstance(e, GateFailed) for e in problems.values()) else GateFailed
        raise error("; ".join(parts) + ".")
    return outcomes


def summary(outcomes: dict[str, dict], done_status: str) -> dict:
    """One op output for the run: its status (`done_status` when any application changed, else
    noop), the message per application, and the cutover ids."""
    statuses = {o["status"] for o in outcomes.values()}
    return {
        "status": done_status if done_status in statuses else "noop",
        "message": " ".join(f"{app}: {o['message']}" for app, o in outcomes.items()),
        "cutover_id": {app: o["cutover_id"] for app, o in outcomes.items()},
        "applications": outcomes,
    }

"""`cutover apply` / `cutover rollback` from the command line are Dagster runs of the jobs `apply` and
`rollback` in the project's instance (SPEC §6: "a run from the command line appears in the Dagster
run history"), refusals included; and both commands are safe to run twice, with the exit statuses
assets/cutover/*.py document:

- apply when the latest dry-run is already live: no-op, exit 0 ("already live"), runs.status 'noop';
- rollback when the latest cutover is already rolled back: no-op, exit 0 ("already rolled back");
- apply after a rollback: the candidates are empty, so it refuses, exit 3, and changes nothing;
- a refusal is a FAILED Dagster run whose step failure carries the refusal sentence, and
  migration.runs records it as 'refused' under the same run id.

The history is read the way the UI reads it: a DagsterInstance built from $DAGSTER_HOME
(assets.runner.instance()), not from anything the CLI returned. The storage is the documented
default with DATABASE_URL set and DAGSTER_PG_URL unset (Dagster's tables in that database), where
every command of a process uses the same storage; and with DAGSTER_PG_URL set, every run of a
process lands in that history (the last test).
"""

from __future__ import annotations

import os

import pytest

from pipelines.database import connect
from tests.test_cutover_apply import (  # noqa: F401  (dagster_db, dagster_env: fixtures of the last test)
    cli,
    dagster_db,
    dagster_env,
    live_and_candidates,
    seed_a_failed_latest_dry_run,
    seed_live_and_candidates,
)


@pytest.fixture
def history(db_url, tmp_path, monkeypatch):
    """The project's Dagster instance, as `dagster dev` would open it: $DAGSTER_HOME's dagster.yaml,
    run storage derived from DATABASE_URL (this test's database)."""
    from assets.runner import instance

    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "dagster_home"))
    monkeypatch.setenv("DAGSTER_PG_URL", "")  # unset (and restored after the test: prepare_dagster_home writes it)
    monkeypatch.setenv("USER", "test-operator")
    inst = instance()
    yield inst
    inst.dispose()


def recorded_runs(url, job: str) -> list[tuple[str, str]]:
    """(run_id, status) of `job` in migration.runs, oldest first."""
    with connect(url) as conn:
        return conn.execute("select run_id, status from migration.runs where job = %s order by started_at, run_id", (job,)).fetchall()


def dagster_run_ids(inst, job: str) -> set[str]:
    from dagster import RunsFilter

    return {run.run_id for run in inst.get_runs(filters=RunsFilter(job_name=job))}


def failure_text(inst, run_id: str) -> str:
    """Every message in the cause chain of the run's step failures."""
    from dagster import DagsterEventType

    texts = []
    for entry in inst.all_logs(run_id, of_type=DagsterEventType.STEP_FAILURE):
        error = entry.dagster_event.step_failure_data.error
        while error is not None:
            texts.append(error.message or "")
            error = error.cause or getattr(error, "context", None)
    return "\n".join(texts)


def output_status(inst, run_id: str, op: str) -> str:
    """The `status` metadata the op attached to its output (applied / rolled_back / noop)."""
    from dagster import DagsterEventType

    for entry in inst.all_logs(run_id, of_type=DagsterEventType.STEP_OUTPUT):
        event = entry.dagster_event
        if event.step_key == op:
            return event.step_output_data.metadata["status"].value
    raise AssertionError(f"run {run_id} has no output of {op}")


def assert_run(inst, run_id: str, job: str, status: str) -> None:
    from dagster import DagsterRunStatus

    run = inst.get_run_by_id(run_id)
    assert run is not None, f"run {run_id} of {job} is not in the Dagster run history"
    assert run.job_name == job
    assert run.status == DagsterRunStatus[status], (run_id, job, run.status)
    assert run.tags.get("cutover/exclusive") == "true"


def test_apply_and_rollback_are_successful_runs_in_the_dagster_history(db_url, history, capsys):
    seed_live_and_candidates(db_url)
    assert dagster_run_ids(history, "apply") == dagster_run_ids(history, "rollback") == set()

    assert cli("apply") == 0
    assert cli("rollback") == 0

    (apply_id, apply_status), = recorded_runs(db_url, "apply")
    (rollback_id, rollback_status), = recorded_runs(db_url, "rollback")
    assert (apply_status, rollback_status) == ("success", "success")
    # each command is exactly one new run of its job, and it is the run migration.runs names
    assert dagster_run_ids(history, "apply") == {apply_id}
    assert dagster_run_ids(history, "rollback") == {rollback_id}
    assert_run(history, apply_id, "apply", "SUCCESS")
    assert_run(history, rollback_id, "rollback", "SUCCESS")
    assert output_status(history, apply_id, "apply_cutover") == "applied"
    assert output_status(history, rollback_id, "rollback_cutover") == "rolled_back"


def test_refused_apply_and_rollback_are_failed_runs_with_the_reason(db_url, history, capsys):
    seed_a_failed_latest_dry_run(db_url)
    before = live_and_candidates(db_url)

    assert cli("apply") == 3
    assert cli("rollback") == 3  # nothing was ever cut over
    err = capsys.readouterr().err

    (apply_id, apply_status), = recorded_runs(db_url, "apply")
    (rollback_id, rollback_status), = recorded_runs(db_url, "rollback")
    assert (apply_status, rollback_status) == ("refused", "refused")
    assert dagster_run_ids(history, "apply") == {apply_id}
    assert_run(history, apply_id, "apply", "FAILURE")
    assert_run(history, rollback_id, "rollback", "FAILURE")
    # the history says why, in the same words as the command's one sentence
    assert "podium: the latest dry-run dry-bad failed blocking gates of podium: reconcile/count identity" in failure_text(history, apply_id)
    assert "there is no cutover to roll back" in failure_text(history, rollback_id)
    assert "dry-bad" in err and "no cutover to roll back" in err
    assert live_and_candidates(db_url) == before


def assert_rerun_changes_nothing(db_url, capsys, command: str, *phrases: str) -> None:
    """`cutover <command>` exits 0 saying every phrase, and the live and candidate tables stay as they were."""
    state = live_and_candidates(db_url)
    capsys.readouterr()
    assert cli(command) == 0
    out = capsys.readouterr().out
    assert all(phrase in out for phrase in phrases), out
    assert live_and_candidates(db_url) == state


def test_apply_twice_and_rollback_twice_are_safe(db_url, history, capsys):
    before = seed_live_and_candidates(db_url)

    assert cli("apply") == 0
    applied = live_and_candidates(db_url)
    assert applied["podium"] == before["podium_next"] and applied["hello_miami"] == before["hello_miami_next"]

    # apply again: the latest dry-run is already live -> a no-op, exit 0, nothing copied
    assert_rerun_changes_nothing(db_url, capsys, "apply", "dry-run dry-1 is already live (cutover 1", "nothing to apply")

    assert cli("rollback") == 0
    assert live_and_candidates(db_url)["podium"] == before["podium"]
    rolled_back = live_and_candidates(db_url)

    # rollback again: already rolled back -> a no-op, exit 0; the live tables stay the pre-cutover ones
    assert_rerun_changes_nothing(db_url, capsys, "rollback", "cutover 1 (dry-run dry-1) was already rolled back", "nothing to do")

    # apply after the rollback: the candidates were emptied by the cutover -> refused, exit 3, nothing changes
    assert cli("apply") == 3
    assert "podium: the candidate schema podium_next is empty" in capsys.readouterr().err
    assert live_and_candidates(db_url) == rolled_back
    assert live_and_candidates(db_url)["hello_miami"] == before["hello_miami"]

    with connect(db_url) as conn:
        cutovers = conn.execute("select cutover_id, run_id, status from migration.cutovers order by 1").fetchall()
        prev = conn.execute("select count(*) from pg_namespace where nspname in ('podium_prev', 'hello_miami_prev')").fetchone()[0]
    assert cutovers == [(1, "dry-1", "rolled_back"), (2, "dry-1", "rolled_back")]  # one per application, however often the commands ran
    assert prev == 0  # the previous live state went back live; nothing stale left to roll back to

    applies, rollbacks = recorded_runs(db_url, "apply"), recorded_runs(db_url, "rollback")
    assert [s for _, s in applies] == ["success", "noop", "refused"]
    assert [s for _, s in rollbacks] == ["success", "noop"]
    for (run_id, _), status in zip(applies, ("SUCCESS", "SUCCESS", "FAILURE")):
        assert_run(history, run_id, "apply", status)
    for (run_id, _), status in zip(rollbacks, ("SUCCESS", "SUCCESS")):
        assert_run(history, run_id, "rollback", status)
    assert [output_status(history, run_id, "apply_cutover") for run_id, _ in applies[:2]] == ["applied", "noop"]
    assert [output_status(history, run_id, "rollback_cutover") for run_id, _ in rollbacks] == ["rolled_back", "noop"]


def test_with_dagster_pg_url_set_every_run_of_a_process_is_in_that_history(db_url, dagster_env, monkeypatch, capsys):
    import dagster as dg

    from assets.runner import _psycopg2

    seed_live_and_candidates(db_url)
    assert cli("apply") == 0
    assert cli("rollback") == 0
    ids = {job: recorded_runs(db_url, job)[0][0] for job in ("apply", "rollback")}
    # the history `dagster dev` shows when started with the operator's DAGSTER_PG_URL (the CLI rewrote the variable)
    monkeypatch.setenv("DAGSTER_PG_URL", _psycopg2(dagster_env))
    with dg.DagsterInstance.from_config(os.environ["DAGSTER_HOME"]) as inst:
        assert inst.get_run_by_id(ids["apply"]) is not None
        assert inst.get_run_by_id(ids["rollback"]) is not None, "the second command's run is missing from DAGSTER_PG_URL's history"

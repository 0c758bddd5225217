"""The run's executor (assets/executor.py): independent steps run side by side in threads of the
run's process, a step waits for its upstream, a failure skips only its own downstream, and the
CLI's in-process runs keep it (Dagster's execute_in_process would swap in one step at a time)."""

from __future__ import annotations

import sys
import threading
import time

import dagster as dg
import pytest

from assets.executor import CONCURRENCY_ENV, default_concurrency, execute_in_process, threaded_in_process_executor
from pipelines.errors import CutoverError

WAIT_S = 10


def _job(*assets, concurrent: int | None = None):
    executor = threaded_in_process_executor.configured({"max_concurrent": concurrent}) if concurrent else threaded_in_process_executor
    defs = dg.Definitions(assets=list(assets), jobs=[dg.define_asset_job("job", selection=dg.AssetSelection.all())],
                          executor=executor)
    return defs.resolve_job_def("job")


def _run(job):
    with dg.DagsterInstance.ephemeral() as instance:
        return execute_in_process(job, run_config={}, instance=instance, tags=None)


def _meeting_pair():
    """Two assets that each wait for the other to start: they finish only if they run at once."""
    barrier = threading.Barrier(2, timeout=WAIT_S)

    @dg.asset
    def left():
        barrier.wait()

    @dg.asset
    def right():
        barrier.wait()

    return left, right


def test_independent_steps_run_at_the_same_time():
    started = time.monotonic()
    result = _run(_job(*_meeting_pair()))
    assert result.success
    assert time.monotonic() - started < WAIT_S
    assert {e.step_key for e in result.all_events if e.is_step_success} == {"left", "right"}


def test_one_at_a_time_when_asked(monkeypatch):
    # the same pair can never meet one step after another: each times out waiting for the other
    monkeypatch.setenv(CONCURRENCY_ENV, "1")
    result = _run(_job(*_meeting_pair()))
    assert not result.success
    assert {e.step_key for e in result.all_events if e.is_step_failure} == {"left", "right"}


def test_a_step_starts_after_its_upstream_and_a_failure_stops_only_its_downstream():
    seen: list[str] = []

    @dg.asset
    def upstream():
        time.sleep(0.3)
        seen.append("upstream done")

    @dg.asset(deps=[upstream])
    def downstream():
        seen.append("downstream")

    @dg.asset
    def broken():
        raise ValueError("broken on purpose")

    @dg.asset(deps=[broken])
    def after_broken():
        seen.append("after_broken")

    result = _run(_job(upstream, downstream, broken, after_broken))
    assert not result.success
    assert seen == ["upstream done", "downstream"]
    assert {e.step_key for e in result.all_events if e.is_step_success} == {"upstream", "downstream"}
    assert {e.step_key for e in result.all_events if e.is_step_failure} == {"broken"}
    # Dagster's own word for a step whose upstream failed (logged, no step event of its own)
    assert not [e for e in result.all_events if e.step_key == "after_broken"]


def test_the_concurrency_setting_is_one_sentence_when_wrong(monkeypatch):
    monkeypatch.setenv(CONCURRENCY_ENV, "two")
    with pytest.raises(CutoverError, match=f"^{CONCURRENCY_ENV}='two' is not a whole number of steps.$"):
        default_concurrency()
    monkeypatch.setenv(CONCURRENCY_ENV, "0")
    assert default_concurrency() == 1


def test_gates_silence_only_their_own_thread():
    """Two gates validating at once each silence GX's stdout: neither restores the other's stream,
    and what another thread prints meanwhile still shows."""
    from expectations.runner import silenced

    before = sys.stdout
    inside = threading.Barrier(3, timeout=WAIT_S)
    leave = threading.Event()
    lost: list[str] = []

    def gate(first_out: bool):
        with silenced("stdout"):
            print("GX noise")
            inside.wait()
            if not first_out:
                leave.wait(WAIT_S)
        if first_out:
            leave.set()

    threads = [threading.Thread(target=gate, args=(flag,)) for flag in (True, False)]
    for thread in threads:
        thread.start()
    inside.wait()

    class Catch:
        def write(self, text):
            lost.append(text)

    target = sys.stdout._stream
    sys.stdout._stream = Catch()  # what the proxy passes on from threads outside
    try:
        print("the CLI's own line")
    finally:
        sys.stdout._stream = target
    for thread in threads:
        thread.join(WAIT_S)
    assert sys.stdout is before
    assert "".join(lost) == "the CLI's own line\n"


def test_the_longest_chain_starts_first_and_the_last_run_says_how_long():
    """Three ready roots, two slots; the plan lists them b_quick, slow_alone, z_chain (Dagster would
    start the first two). The first time every step counts 1 s, so the root of a chain of two starts
    first; the next run knows `slow_alone` took longest and starts it with the chain, ahead of the
    quick `b_quick`."""
    @dg.asset
    def z_chain():
        time.sleep(0.1)

    @dg.asset(deps=[z_chain])
    def z_chain_next():
        pass

    @dg.asset
    def b_quick():
        time.sleep(0.02)

    @dg.asset
    def slow_alone():
        time.sleep(0.6)

    job = _job(z_chain, z_chain_next, b_quick, slow_alone)

    def first_two_started(result) -> set[str]:
        return set([e.step_key for e in result.all_events if e.is_step_start][:2])

    with dg.DagsterInstance.ephemeral() as instance:
        first = execute_in_process(job, run_config={}, instance=instance, tags=None)
        second = execute_in_process(job, run_config={}, instance=instance, tags=None)
    assert first.success and second.success
    assert first_two_started(first) == {"z_chain", "b_quick"}
    assert first_two_started(second) == {"z_chain", "slow_alone"}


def test_an_interrupt_ends_the_run_without_waiting_for_the_steps_in_flight():
    """Ctrl-C (or the UI's terminate, a SIGINT to the run's process) while a step runs in its thread:
    the run ends failed within a second, not when the step would have finished."""
    import os
    import signal

    started, release = threading.Event(), threading.Event()

    @dg.asset
    def long_step():
        started.set()
        release.wait(30)

    def interrupt():
        if started.wait(WAIT_S):
            os.kill(os.getpid(), signal.SIGINT)

    threading.Thread(target=interrupt, daemon=True).start()
    with dg.DagsterInstance.ephemeral() as instance:
        began = time.monotonic()
        try:
            result = execute_in_process(_job(long_step), run_config={}, instance=instance, tags=None)
            ended = time.monotonic() - began
        finally:
            release.set()  # the step's thread, left running, finishes into the still open instance
            for thread in threading.enumerate():
                if thread.name == "step long_step":
                    thread.join(WAIT_S)
    assert started.is_set()
    assert ended < 5
    assert not result.success
    assert result.dagster_run.status in (dg.DagsterRunStatus.FAILURE, dg.DagsterRunStatus.CANCELED)

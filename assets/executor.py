"""The executor every job runs with: Dagster's in-process executor, with up to `max_concurrent`
steps running at once, each in a thread of the run's one process.

Why: the in-process executor runs one step after another, and most of a dry-run's steps are one
SQL statement that PostgreSQL executes in its own backend (issue 17: at scale 100 one core idled
for ~150 s of the dry-run while a model ran on the other). The two applications' models, gates and
reconcile tables do not depend on each other, nor do most models of one application. A thread
waiting for its statement holds no interpreter lock, so two steps keep both cores busy without the
cost of the multiprocess executor (a Python process per step, each importing Dagster, dlt and GX:
~3x slower on two cores, assets/definitions.py).

Decisions:
- The plan is walked as Dagster's `inner_plan_execution_iterator` walks it (`ActiveExecution`
  decides which steps are ready, skips the downstream of a failure, hooks run after each step);
  only the stepping differs: a step's events are made in its thread (Dagster stores each event as
  it is made, in the instance's pooled, thread-safe storage) and handed to the run's thread, which
  alone touches the `ActiveExecution` and yields the events on.
- `max_concurrent` defaults to CUTOVER_STEP_CONCURRENCY, else 2 (the cores of the machines this
  runs on; PostgreSQL does the work, so more threads only queue there). 1 is Dagster's own
  in-process stepping, one step after another.
- The steps are safe side by side because they were before this executor, when the UI ran them in
  processes: helpers are created under an advisory lock, reconcile models replace only their own
  application's rows and take the table's lock first where they rebuild its indexes, and each
  step has its own connections. What is shared in one process is guarded where it is made:
  first imports and GX contexts under `pipelines.long_lived`'s lock, GX validation's stdout
  silencing in `expectations/runner.py`.
- Which ready step starts first follows the critical path: a step's rank is its own seconds plus
  the longest chain of seconds downstream of it, the seconds taken from the job's last successful
  run in the instance (1 s a step the first time: the longest chain of steps). With two slots and
  the two applications' chains side by side, the longer chain (Podium's lineage and reconcile gate
  at scale 100) starts as soon as it is ready instead of in the plan's alphabetical order. Dagster's
  `dagster/priority` tag, static per asset, could not follow scale.
- An interrupt (Ctrl-C, the UI's terminate) ends the run at once, failed as Dagster ends an
  interrupted run: the run's thread notices it within INTERRUPT_POLL_S. The step threads are
  daemons, so the process exits without waiting for a statement in flight (its server session
  ends with the connection, and its transaction rolls back).
"""

from __future__ import annotations

import os
import queue
import sys
import threading

import dagster as dg

CONCURRENCY_ENV = "CUTOVER_STEP_CONCURRENCY"
DEFAULT_CONCURRENCY = 2
_DONE = object()


def default_concurrency() -> int:
    from pipelines.settings import whole_number

    return whole_number(CONCURRENCY_ENV, DEFAULT_CONCURRENCY, "steps")


def _run_step(step_context, events: queue.Queue) -> None:
    from dagster._core.execution.plan.execute_plan import dagster_event_sequence_for_step

    key = step_context.step.key
    try:
        for event in dagster_event_sequence_for_step(step_context):
            events.put((key, event))
    except BaseException as exc:  # noqa: BLE001 - handed to the run's thread, which raises it
        events.put((key, exc))
    else:
        events.put((key, _DONE))


UNKNOWN_STEP_S = 1.0
INTERRUPT_POLL_S = 0.2


def previous_seconds(instance, job_name: str) -> dict[str, float]:
    """Each step's seconds in the last successful run of `job_name` ({} when there is none)."""
    from dagster import DagsterRunStatus, RunsFilter

    runs = instance.get_runs(filters=RunsFilter(job_name=job_name, statuses=[DagsterRunStatus.SUCCESS]), limit=1)
    if not runs:
        return {}
    return {stat.step_key: stat.end_time - stat.start_time for stat in instance.get_run_step_stats(runs[0].run_id)
            if stat.start_time and stat.end_time}


def critical_path_first(steps, seconds: dict[str, float]):
    """A sort key over `steps` (in topological order): the longest chain of seconds from a step to
    the end of the plan first; Dagster's `dagster/priority` tag still comes before it."""
    from dagster._core.storage.tags import PRIORITY_TAG

    downstream: dict[str, set[str]] = {step.key: set() for step in steps}
    for step in steps:
        for step_input in step.step_inputs:
            for upstream in step_input.dependency_keys:
                downstream.setdefault(upstream, set()).add(step.key)
    rank: dict[str, float] = {}
    for step in reversed(steps):
        rank[step.key] = seconds.get(step.key, UNKNOWN_STEP_S) + max((rank[d] for d in downstream[step.key]), default=0.0)
    return lambda step: (-int(step.tags.get(PRIORITY_TAG, 0)), -rank.get(step.key, 0.0))


def threaded_plan_iterator(job_context, execution_plan, instance_concurrency_context=None, *, workers: int):
    """`inner_plan_execution_iterator` (dagster/_core/execution/plan/execute_plan.py) with up to
    `workers` steps in flight."""
    from contextlib import ExitStack

    from dagster._core.errors import DagsterExecutionInterruptedError
    from dagster._core.events import DagsterEvent
    from dagster._core.execution.compute_logs import create_compute_log_file_key
    from dagster._core.execution.plan.execute_plan import (
        _handle_compute_log_setup_error,
        _handle_compute_log_teardown_error,
        _trigger_hook,
    )
    from dagster._utils.interrupts import pop_captured_interrupt

    compute_log_manager = job_context.instance.compute_log_manager
    steps = execution_plan.get_steps_to_execute_in_topo_order()
    step_keys = [step.key for step in steps]
    try:
        seconds = previous_seconds(job_context.instance, job_context.dagster_run.job_name)
    except Exception as exc:  # noqa: BLE001 - an order is an optimisation: never fail a run for it
        job_context.log.warning(f"steps start in the plan's order: the last run's step times could not be read ({exc})")
        seconds = {}
    with execution_plan.start(
        retry_mode=job_context.retry_mode,
        sort_key_fn=critical_path_first(steps, seconds),
        instance_concurrency_context=instance_concurrency_context,
        step_dependency_config=job_context.step_dependency_config,
    ) as active_execution, ExitStack() as capture_stack:
        log_key = compute_log_manager.build_log_key_for_run(job_context.run_id, create_compute_log_file_key())
        try:
            log_context = capture_stack.enter_context(compute_log_manager.capture_logs(log_key))
            yield DagsterEvent.capture_logs(job_context, step_keys, log_key, log_context)
        except Exception:
            yield from _handle_compute_log_setup_error(job_context, sys.exc_info())

        events: queue.Queue = queue.Queue()
        running: dict[str, tuple] = {}  # step key -> (its context, its events so far)
        while not active_execution.is_complete:
            yield from active_execution.concurrency_event_iterator(job_context)
            while len(running) < workers and not active_execution.is_complete:
                step = active_execution.get_next_step()
                if step is None:
                    break
                step_context = job_context.for_step(step, active_execution.get_known_state())
                missing = [k for k in step_context.required_resource_keys if not hasattr(step_context.resources, k)]
                if missing:
                    raise dg.DagsterInvariantViolationError(f"step {step.key} is missing resources {missing}")
                running[step.key] = (step_context, [])
                threading.Thread(target=_run_step, args=(step_context, events), name=f"step {step.key}",
                                 daemon=True).start()
            if not running:
                active_execution.sleep_til_ready()
                continue
            # the signal handler Dagster installs for a run only notes an interrupt (Ctrl-C, the
            # UI's terminate): a step raises it where it runs, and no step runs in this thread
            if pop_captured_interrupt():
                raise DagsterExecutionInterruptedError()
            try:
                key, item = events.get(timeout=INTERRUPT_POLL_S)
            except queue.Empty:
                continue
            step_context, step_events = running[key]
            if isinstance(item, BaseException):
                raise item
            if item is not _DONE:
                step_events.append(item)
                yield item
                active_execution.handle_event(item)
                continue
            del running[key]
            active_execution.verify_complete(job_context, key)
            for event in active_execution.plan_events_iterator(job_context):  # skips after a failure
                step_events.append(event)
                yield event
            yield from _trigger_hook(step_context, step_events)

        try:
            capture_stack.close()
        except Exception:
            yield from _handle_compute_log_teardown_error(job_context, sys.exc_info())


def _executor_class():
    from dagster._core.execution.api import ExecuteRunWithPlanIterable
    from dagster._core.execution.context_creation_job import PlanExecutionContextManager
    from dagster._core.execution.plan.instance_concurrency_context import InstanceConcurrencyContext
    from dagster._core.executor.in_process import InProcessExecutor

    class ThreadedInProcessExecutor(InProcessExecutor):
        def __init__(self, retries, max_concurrent: int):
            super().__init__(retries=retries)
            self.max_concurrent = max_concurrent

        def execute(self, plan_context, execution_plan):
            if self.max_concurrent <= 1:
                yield from super().execute(plan_context, execution_plan)
                return
            workers = self.max_concurrent

            def iterator(job_context, execution_plan):
                with InstanceConcurrencyContext(job_context.instance, job_context.dagster_run) as concurrency:
                    yield from threaded_plan_iterator(job_context, execution_plan, concurrency, workers=workers)

            from dagster._core.events import EngineEventData

            yield dg.DagsterEvent.engine_event(
                plan_context, f"Executing steps in process (pid: {os.getpid()}), up to {workers} at once",
                event_specific_data=EngineEventData.in_process(os.getpid(), execution_plan.step_keys_to_execute),
            )
            yield from iter(
                ExecuteRunWithPlanIterable(
                    execution_plan=plan_context.execution_plan,
                    iterator=iterator,
                    execution_context_manager=PlanExecutionContextManager(
                        job=plan_context.job,
                        retry_mode=plan_context.retry_mode,
                        execution_plan=plan_context.execution_plan,
                        run_config=plan_context.run_config,
                        dagster_run=plan_context.dagster_run,
                        instance=plan_context.instance,
                        raise_on_error=plan_context.raise_on_error,
                        output_capture=plan_context.output_capture,
                        step_dependency_config=self.step_dependency_config,
                    ),
                )
            )

    return ThreadedInProcessExecutor


@dg.executor(
    name="in_process_threads",
    config_schema={
        "max_concurrent": dg.Field(
            int, is_required=False,
            description=f"Steps running at once (threads of the run's process); default {CONCURRENCY_ENV} or "
                        f"{DEFAULT_CONCURRENCY}. 1 runs them one after another.",
        ),
    },
)
def threaded_in_process_executor(init_context):
    from dagster._core.execution.retries import RetryMode

    config = init_context.executor_config
    return _executor_class()(RetryMode.ENABLED, config.get("max_concurrent") or default_concurrency())


def execute_in_process(job, *, run_config: dict, instance, tags: dict | None, raise_on_error: bool = False):
    """`job.execute_in_process(...)` keeping this executor: Dagster's own swaps in its one-step-at-a-
    time executor (JobDefinition.execute_in_process, dagster 1.13); the rest is the same call."""
    from dagster._core.definitions.job_base import InMemoryJob
    from dagster._core.execution.execute_in_process import core_execute_in_process, merge_run_tags

    ephemeral = job.as_ephemeral_job(resource_defs={}, input_values={}).with_executor_def(threaded_in_process_executor)
    return core_execute_in_process(
        job=InMemoryJob(job_def=ephemeral),
        run_config=run_config,
        instance=instance,
        output_capturing_enabled=True,
        raise_on_error=raise_on_error,
        run_tags=merge_run_tags(job_def=job, partition_key=None, tags=tags, asset_selection=None, instance=instance,
                                run_config=run_config),
    )

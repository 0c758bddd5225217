"""From a Dagster run to the CLI's exit status: an op that refused raised GateFailed (exit 3), one
that met a configuration mistake raised CutoverError (exit 1). Dagster keeps the exception's class
name and message in the step failure; this turns it back into the same exception for the CLI."""

from __future__ import annotations

import re

from pipelines.errors import CutoverError, GateFailed


def _causes(error):
    while error is not None:
        yield error
        error = error.cause or getattr(error, "context", None)


def _sentence(info) -> str:
    text = (info.message or "").strip()
    prefix = f"{info.cls_name}: "
    if text.startswith(prefix):
        text = text[len(prefix):]
    # SerializableErrorInfo messages may carry the module path: "pipelines.errors.GateFailed: ..."
    if ": " in text and text.split(": ", 1)[0].endswith(info.cls_name):
        text = text.split(": ", 1)[1]
    return text.strip()


def raise_for_failure(result) -> None:
    """Raise the op's own GateFailed / CutoverError when the run failed; return when it succeeded."""
    if result.success:
        return
    for event in result.all_events:
        if not event.is_step_failure:
            continue
        for info in _causes(event.step_failure_data.error):
            if info.cls_name == "GateFailed":
                raise GateFailed(_sentence(info))
            if info.cls_name == "CutoverError":
                raise CutoverError(_sentence(info))
        raise CutoverError(first_failure(result) or "the Dagster run failed.")
    raise CutoverError("the Dagster run failed before any step ran; rerun with -v to see Dagster's log.")


def first_failure(result) -> str | None:
    """The first failed step's error message, for a one-sentence CLI error: our own CutoverError's
    sentence where the chain holds one, else `step <key> failed: <innermost error>`."""
    return first_failure_of(result.all_events)


def first_failure_of(events, name_step: bool = False) -> str | None:
    """first_failure of a run's Dagster events (an in-process result's, or the instance's event log);
    `name_step`: always name the step (a report, which has no command line around it to say it)."""
    for event in events:
        if name_step and event.is_step_failure:
            cause = first_failure_of([event])
            return cause if cause.startswith("step ") else f"step {event.step_key} failed: {cause}"
        if event.is_step_failure:
            data = event.step_failure_data
            chain, error = [], data.error
            while error is not None:
                chain.append(error)
                error = error.cause
            # our own sentence wherever it sits in the chain (dlt wraps it in its extraction errors),
            # else the innermost error's last line
            ours = [e for e in chain if e.cls_name in ("CutoverError", "GateFailed", "MissingSetting")]
            if ours:  # already the sentence a user needs: without the class path Dagster prefixes
                text = (ours[0].message or "").strip()
                return text.split(f"{ours[0].cls_name}: ", 1)[-1]
            return f"step {event.step_key} failed: {_innermost_message(chain[-1])}"
    return None


# what libpq appends to PostgreSQL's primary message, one item a line
_SERVER_DETAIL = re.compile(r"^(LINE \d+:|DETAIL:|HINT:|CONTEXT:|QUERY:|\s*\^)")


def _innermost_message(error) -> str:
    """PostgreSQL's primary message when the error is the server's (the first line: the last one is
    its HINT, e.g. only `HINT: No function matches the given name…` for a missing function), else
    the error's last line, where Python puts an exception's own words."""
    lines = [line for line in (error.message or "").strip().splitlines() if line.strip()]
    if not lines:
        return error.cls_name
    if any(_SERVER_DETAIL.match(line) for line in lines[1:]):
        return lines[0].split(f"{error.cls_name}: ", 1)[-1]
    return lines[-1]


def run_config(args, config: dict | None = None) -> dict:
    """The run config of a command's job: Dagster's console log silenced unless -v, because a refusal
    is a failed step whose traceback would drown the one sentence the command prints."""
    config = dict(config or {})
    if not getattr(args, "verbose", False):
        config["loggers"] = {"console": {"config": {"log_level": "CRITICAL"}}}
    return config


def print_report(result, configured: str | None) -> None:
    """Where an apply's / rollback's report is (its op writes one, refused or not), as the dry-run says it."""
    from assets.gates.validation import report_dir

    path = report_dir(result.run_id, configured) / "report.html"
    if path.exists():
        print(f"report: {path}")

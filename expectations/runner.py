"""Gates -> GX suites, validated batch by batch; build Data Docs.

Decisions:
- Row rules are `single_pass.ExpectNoUnexpectedRows` (GX's UnexpectedRowsExpectation, query run
  once instead of twice).
- Ephemeral context with the generic SQL datasource: `add_postgres` rejects the embedded server's
  Unix-socket URL (no host), `add_sql` accepts any SQLAlchemy URL.
- One suite per (phase, application, table), validated on that whole table as its batch with GX's
  own `Batch.validate` (the validator a checkpoint runs). Suites, validation definitions and
  checkpoints are not registered in the context's stores: in an ephemeral context that
  bookkeeping (YAML and JSON copies of the whole configuration on every add, freshness checks per
  run) cost 1.5 s of the land gate's 2.7 s at scale 1 (issue 17), for nothing read back. One
  run id per (phase, application), as its checkpoint had. Result format COMPLETE, so a failing
  `UnexpectedRowsExpectation` carries its offending keys (GX fetches at most 200 of them).
- Every expectation carries `meta.gate` (the gate's index in the list run), which maps results
  back to gates without parsing GX's text.
- Validation results are serialized to JSON by the caller; `build_data_docs` loads them into a
  fresh context and writes a file-based Data Docs site, so docs for a whole run can be built by
  another step (or process) than the ones that validated.
"""

from __future__ import annotations

import contextlib
import json
import sys
import threading
from pathlib import Path

from expectations.gates import Gate, Outcome
from pipelines.long_lived import long_lived

MAX_EXAMPLES = 10

_silenced = threading.local()  # how deep this thread is in `silenced`
_streams_lock = threading.Lock()
_installed: dict[str, list] = {}  # stream name -> [its proxy, threads inside silenced]


class _ThreadSilenced:
    """A stream that drops what the threads inside `silenced` write and passes the rest on."""

    def __init__(self, stream):
        self._stream = stream

    def write(self, text):
        return len(text) if getattr(_silenced, "depth", 0) else self._stream.write(text)

    def __getattr__(self, name):
        return getattr(self._stream, name)


@contextlib.contextmanager
def silenced(*names: str):
    """What this thread writes to sys.<names> ('stdout', 'stderr') is dropped while inside.

    Not contextlib.redirect_stdout: that swaps the whole process's stream, and two gates validating
    at once in threads of one run (assets/executor.py) restored each other's swap, leaving the
    process's stdout a StringIO for good. Here the stream is wrapped once while any thread is
    inside, and only the writes of the threads inside are dropped."""
    with _streams_lock:
        for name in names:
            if name not in _installed:
                _installed[name] = [_ThreadSilenced(getattr(sys, name)), 0]
                setattr(sys, name, _installed[name][0])
            _installed[name][1] += 1
    _silenced.depth = getattr(_silenced, "depth", 0) + 1
    try:
        yield
    finally:
        _silenced.depth -= 1
        with _streams_lock:
            for name in names:
                _installed[name][1] -= 1
                if not _installed[name][1]:
                    proxy = _installed.pop(name)[0]
                    if getattr(sys, name) is proxy:  # not swapped since by someone else
                        setattr(sys, name, proxy._stream)


def context(sqlalchemy_url: str):
    with long_lived():  # GX's modules and the context live as long as the process
        import great_expectations as gx

        from great_expectations.data_context.types.base import ProgressBarsConfig

        ctx = gx.get_context(mode="ephemeral")
        # no progress bars on stderr: silenced here, not by swapping sys.stderr, which is the whole
        # process's (a landing thread's or a CLI command's message in the same process was lost)
        ctx.variables.progress_bars = ProgressBarsConfig(globally=False)
        ctx.data_sources.add_sql("cutover", connection_string=sqlalchemy_url)
    return ctx


def _expectation(gate: Gate, index: int):
    import great_expectations as gx

    meta = {"gate": index, "table": gate.table, "rule": gate.rule, "severity": gate.severity}
    common = {"meta": meta, "description": gate.name}
    if gate.kind == "rows":
        from expectations.single_pass import ExpectNoUnexpectedRows, with_total

        return ExpectNoUnexpectedRows(unexpected_rows_query=with_total(gate.sql), **common)
    if gate.kind == "row_count":
        return gx.expectations.ExpectTableRowCountToEqual(value={"$PARAMETER": gate.parameter}, **common)
    if gate.kind == "unique":
        return gx.expectations.ExpectColumnValuesToBeUnique(column=gate.columns[0], **common)
    if gate.kind == "not_null":
        return gx.expectations.ExpectColumnValuesToNotBeNull(column=gate.columns[0], **common)
    if gate.kind == "compound_unique":
        return gx.expectations.ExpectCompoundColumnsToBeUnique(column_list=list(gate.columns), **common)
    raise ValueError(f"unknown gate kind {gate.kind!r} for {gate.name}")


def _batch(ctx, batch: str):
    """The whole table `batch` ('schema.table') as a GX batch; its table asset is added on first use
    (and kept by a context that is reused). No batch definition: nothing here is stored."""
    datasource = ctx.data_sources.get("cutover")
    try:
        asset = datasource.get_asset(batch)
    except LookupError:
        schema, table = batch.split(".", 1)
        asset = datasource.add_table_asset(batch, table_name=table, schema_name=schema)
    return asset.get_batch(asset.build_batch_request())


def _outcome(gate: Gate, result, parameters: dict) -> Outcome:
    error = _exception(result.exception_info)
    if error is not None:
        return Outcome(gate, False, 1, [f"the check could not run: {error}"])
    res = result.result or {}
    if gate.kind == "rows":
        rows = (res.get("details") or {}).get("unexpected_rows") or []
        examples = [_example(r) for r in rows[:MAX_EXAMPLES]]
        return Outcome(gate, bool(result.success), int(res.get("observed_value") or 0), examples, res.get("observed_value"))
    if gate.kind == "row_count":
        expected = parameters.get(gate.parameter)
        observed = res.get("observed_value")
        diff = abs((observed or 0) - (expected or 0))
        examples = [] if result.success else [f"landed {observed}, source reported {expected}"]
        return Outcome(gate, bool(result.success), int(diff), examples, observed)
    unexpected = res.get("partial_unexpected_list") or []
    examples = [json.dumps(v, default=str) if not isinstance(v, str) else v for v in unexpected[:MAX_EXAMPLES]]
    return Outcome(gate, bool(result.success), int(res.get("unexpected_count") or 0), examples, res.get("unexpected_count"))


def _exception(info) -> str | None:
    """GX keeps a failed metric's exception either flat or keyed by metric id."""
    if not isinstance(info, dict):
        return None
    candidates = [info] + [v for v in info.values() if isinstance(v, dict)]
    for item in candidates:
        if item.get("raised_exception") or item.get("exception_message"):
            lines = [line for line in (item.get("exception_message") or "error").splitlines() if line.strip()]
            return lines[0][:300] if lines else "error"
    return None


def _example(row: dict) -> str:
    key = row.get("key")
    detail = row.get("detail")
    if key is None and detail is None:
        return ", ".join(f"{k}={v}" for k, v in row.items())
    return f"{key}: {detail}" if detail not in (None, "") else str(key)


def run_gates(ctx, gates: list[Gate], parameters: dict | None = None) -> tuple[list[Outcome], list[dict]]:
    """Validate `gates` (one suite per table, one run id per phase and application); return outcomes in gate order and
    the GX validation results as JSON dicts (for Data Docs)."""
    # GX prints a hint for every query without {batch} on stdout (its progress bars are off: context())
    with silenced("stdout"):
        return _run_gates(ctx, gates, parameters)


def _run_gates(ctx, gates: list[Gate], parameters: dict | None) -> tuple[list[Outcome], list[dict]]:
    import datetime

    import great_expectations as gx
    from great_expectations.core.run_identifier import RunIdentifier

    parameters = dict(parameters or {})
    # a count gate whose source did not report a count has nothing to compare against: skip it
    runnable = [(i, g) for i, g in enumerate(gates) if g.kind != "row_count" or parameters.get(g.parameter) is not None]
    by_run: dict[str, dict[str, list[tuple[int, Gate]]]] = {}
    for index, gate in runnable:
        by_run.setdefault(f"{gate.phase}.{gate.application}", {}).setdefault(gate.batch, []).append((index, gate))

    outcomes: dict[int, Outcome] = {}
    documents: list[dict] = []
    for run_name, batches in by_run.items():
        run_id = RunIdentifier(run_name=run_name, run_time=datetime.datetime.now(datetime.timezone.utc))
        for batch, members in batches.items():
            suite = gx.ExpectationSuite(name=f"{run_name}.{batch}",
                                        expectations=[_expectation(gate, index) for index, gate in members])
            validation = _batch(ctx, batch).validate(suite, result_format="COMPLETE", expectation_parameters=parameters)
            validation.meta["run_id"] = run_id  # what Data Docs files the result under
            documents.append(validation.to_json_dict())
            for item in validation.results:
                index = item.expectation_config.meta["gate"]
                outcomes[index] = _outcome(gates[index], item, parameters)
    return [outcomes[i] for i, _ in runnable], documents


def build_data_docs(documents: list[dict], site_dir: Path) -> Path | None:
    """A file-based Data Docs site in `site_dir` from serialized validation results; returns index.html."""
    if not documents:
        return None
    import great_expectations as gx
    from great_expectations.core.expectation_validation_result import ExpectationSuiteValidationResultSchema
    from great_expectations.core.run_identifier import RunIdentifier
    from great_expectations.data_context.types.resource_identifiers import (
        ExpectationSuiteIdentifier,
        ValidationResultIdentifier,
    )

    site_dir.mkdir(parents=True, exist_ok=True)
    ctx = gx.get_context(mode="ephemeral")
    ctx.add_data_docs_site(
        "run",
        {
            "class_name": "SiteBuilder",
            "store_backend": {"class_name": "TupleFilesystemStoreBackend", "base_directory": str(site_dir)},
            "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
        },
    )
    schema = ExpectationSuiteValidationResultSchema()
    for document in documents:
        with silenced("stdout"):
            result = schema.load(document)
        meta = document.get("meta") or {}
        run = meta.get("run_id") or {}
        key = ValidationResultIdentifier(
            expectation_suite_identifier=ExpectationSuiteIdentifier(name=document["suite_name"]),
            run_id=RunIdentifier(run_name=run.get("run_name"), run_time=run.get("run_time")),
            batch_identifier=(meta.get("active_batch_definition") or {}).get("data_asset_name") or "batch",
        )
        ctx.validation_results_store.set(key, result)
    with silenced("stdout", "stderr"):
        ctx.build_data_docs(site_names=["run"])
    index = site_dir / "index.html"
    return index if index.exists() else None

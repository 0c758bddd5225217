"""Landing several sources at once: one thread per source, each running its own dlt pipeline.

Why threads: a landing is mostly work outside this interpreter's lock (PostgreSQL's COPY in its
own backend, pyarrow's C++ writers, the MongoDB conversion workers), so while one source parses,
another's rows are being COPYed (bench/, scale 100 on 2 cores: 23 s one after another, 19 s
together). Processes did no better (the cores, not the lock, are the limit) and would cost a
dlt import per source and dagster-dlt's run in the step's own context.

Decisions:
- The sources are independent (own pipeline, own raw schema, own atomic replace or merge), so
  one failing never stops the others: every source runs to its end, and the caller gets each
  source's outcome, the failures included, to report once all have finished.
- Packages with import cycles (pyarrow, pandas, dlt) must not be imported for the first time by
  two threads at once (one of them would see a partially initialised module), so `warm_imports`
  imports everything a landing touches before the threads start; tests/test_land_concurrent.py
  fails if a landing imports any such module afterwards.
- The landing process's allocators hand freed batches back (pipelines/land_memory.py), set here
  before the threads start: the allocators had been holding most of the landing's memory peak.
- CUTOVER_LAND_CONCURRENCY caps the sources landing at once (1 = one after another, as before
  this module existed). Default 2 (DEFAULT_CONCURRENCY): the third source waits for a slot. Bench,
  scale 100, `cutover land` alone in one sitting: 3 at once 17.6 s and 994 MiB peak PSS, 2 at once
  17.8 s and 907 MiB, 1 at a time 20.0 s and 785 MiB; two keep the speed and leave the dry-run's
  peak room under its 1 GiB target.
"""

from __future__ import annotations

import importlib
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any


# Everything a landing imports lazily that belongs to a package with import cycles; measured by
# the test named above (a landing of every source after these imports adds none of theirs).
WARM_MODULES = (
    "pyarrow", "pyarrow.compute", "pyarrow.csv", "pyarrow.ipc", "pyarrow.parquet", "pyarrow.pandas_compat",
    "pyarrow.vendored.version", "pandas", "dlt", "dlt.extract", "dlt.normalize", "dlt.load",
    "dlt.common.libs.pyarrow", "dlt.destinations.impl.postgres.postgres", "dagster_dlt", "netrc",
)


@dataclass
class Outcome:
    """What one source's landing returned (or raised), and how long it took."""

    source: str
    value: Any = None
    error: BaseException | None = None
    seconds: float = 0.0


DEFAULT_CONCURRENCY = 2


def concurrency() -> int:
    from pipelines.settings import whole_number

    return whole_number("CUTOVER_LAND_CONCURRENCY", DEFAULT_CONCURRENCY, "sources")


def warm_imports(sources: Iterable[str]) -> None:
    from pipelines.long_lived import long_lived
    from pipelines import land

    with long_lived():  # modules live as long as the process
        for name in WARM_MODULES:
            try:
                importlib.import_module(name)
            except ImportError:  # an optional package (pandas) absent from this build
                pass
        for source in sources:
            land.module(source)
            importlib.import_module(f"pipelines.{source}")


def land_each(sources: list[str], land_one: Callable[[str], Any]) -> list[Outcome]:
    """land_one(source) for every source, concurrently; the outcomes in the order of `sources`."""
    from pipelines.land_memory import bound_allocators

    warm_imports(sources)
    bound_allocators()

    def timed(source: str) -> Outcome:
        started = time.monotonic()
        try:
            return Outcome(source, value=land_one(source), seconds=time.monotonic() - started)
        except Exception as exc:  # reported by the caller once every source has finished
            return Outcome(source, error=exc, seconds=time.monotonic() - started)

    if len(sources) <= 1 or concurrency() == 1:
        return [timed(source) for source in sources]
    with ThreadPoolExecutor(max_workers=min(concurrency(), len(sources)), thread_name_prefix="land") as pool:
        return list(pool.map(timed, sources))

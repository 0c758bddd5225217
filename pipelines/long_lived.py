"""Objects that live as long as the process (modules imported, definitions, contexts) kept out of
Python's cyclic garbage collector (issue 17, README "Measured": a scale-1 dry-run spent 2.2 s in
full collections, mostly during imports). Used by the landing, the gates and the Dagster runner;
only the `cutover` command's own process turns it on (`assets.cli:command`)."""

from __future__ import annotations

import threading
from contextlib import contextmanager

_FREEZE = False
# one thread at a time: two steps of a run start side by side (assets/executor.py), and packages
# with import cycles (pyarrow, pandas, dlt, GX) imported for the first time by two threads at once
# leave one of them a partially initialised module; and gc.disable/enable is the process's
_LOCK = threading.RLock()


def freeze_long_lived() -> None:
    """Declare this process short-lived: `long_lived()` freezes from now on."""
    global _FREEZE
    _FREEZE = True


@contextmanager
def long_lived():
    """For objects that live as long as the process (modules imported, definitions and contexts
    built): no cyclic garbage collection while they are made, and afterwards frozen out of its
    reach (`gc.freeze`), so later full collections no longer walk them. Issue 17: a scale-1 dry-run
    spent 2.2 s in collections, mostly full ones during imports. The garbage already there is
    collected first, so none of it is frozen (kept) with them.

    Only in a process that runs one command and exits (`freeze_long_lived()`, called by the CLI):
    everything alive at a freeze is never collected again, so in a process that outlives many
    databases (pytest, a code server) a frozen Dagster instance or GX context in a reference cycle
    would keep its pooled connections open for good: the test suite ran out of connections."""
    import gc

    with _LOCK:
        if not _FREEZE:
            yield
            return
        enabled = gc.isenabled()
        gc.collect()
        gc.disable()
        try:
            yield
        finally:
            gc.freeze()
            if enabled:
                gc.enable()

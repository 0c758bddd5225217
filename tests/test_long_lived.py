"""Objects that live as long as the process are kept out of the cyclic garbage collector's walks
(pipelines/long_lived.py, issue 17: 2.2 s of full collections in a scale-1 dry-run)."""

import gc
import subprocess
import sys
from pathlib import Path

from pipelines import long_lived as runner
from pipelines.long_lived import long_lived

ROOT = Path(__file__).resolve().parents[1]


def test_what_is_made_inside_is_frozen_and_the_collector_is_as_it_was(monkeypatch):
    monkeypatch.setattr(runner, "_FREEZE", True)
    before = gc.get_freeze_count()
    with long_lived():
        assert not gc.isenabled()
        made = [[i] for i in range(1000)]
    assert gc.isenabled()
    assert gc.get_freeze_count() >= before + len(made)
    gc.disable()
    try:
        with long_lived():
            pass
        assert not gc.isenabled()  # a caller's own choice is kept
    finally:
        gc.enable()


def test_a_process_not_declared_short_lived_freezes_nothing():
    """pytest or a code server outlives many databases: a frozen instance or context would keep its
    pooled connections open for good (the suite ran out of connections)."""
    with long_lived():
        made = [[i] for i in range(1000)]
    walked = {id(o) for o in gc.get_objects()}  # the permanent (frozen) generation is not listed
    assert all(id(m) in walked for m in made)


GX_CONTEXT = """
import gc, sys
from expectations.runner import context
from pipelines.long_lived import freeze_long_lived
freeze_long_lived()
context(sys.argv[1])
import great_expectations as gx
walked = {id(o) for o in gc.get_objects()}
print(gc.isenabled(), id(gx.ExpectationSuite) in walked, id(sys.modules["great_expectations"].__dict__) in walked)
"""


def test_the_gx_context_and_its_modules_are_no_longer_walked(db_url):
    from pipelines.database import sqlalchemy_url

    done = subprocess.run([sys.executable, "-c", GX_CONTEXT, sqlalchemy_url(db_url)], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split() == ["True", "False", "False"]

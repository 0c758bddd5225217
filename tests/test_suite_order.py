"""The suite's own scheduling (tests/conftest.py RUN_FIRST) names files that exist: a renamed
file would silently lose its place at the head of the queue and run last again."""

from pathlib import Path

from tests.conftest import RUN_FIRST


def test_every_file_run_first_exists():
    tests = Path(__file__).parent
    assert [name for name in RUN_FIRST if not (tests / name).is_file()] == []

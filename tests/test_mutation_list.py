"""The mutation list of `make mutations` (tests/mutations/) still matches the tree: checked here in
`make test` too (it takes no database), so a rule rewritten or moved is noticed by the change that
moves it, not only by the CI step after the suite."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

RUNNER = Path(__file__).with_name("mutations") / "run.py"


def _runner():
    spec = importlib.util.spec_from_file_location("mutation_runner", RUNNER)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def test_every_listed_mutation_finds_its_text_once_and_names_its_tests():
    mutations = _runner().load()
    assert len({m.name for m in mutations}) == len(mutations) >= 1


def test_an_entry_whose_text_moved_fails_naming_the_entry(tmp_path):
    listed = tmp_path / "mutations.toml"
    listed.write_text(
        "[[mutation]]\nname = 'moved'\nrule = 'a rule'\nfile = 'sql_models/hello_miami/attendance.sql'\n"
        "original = 'no such text'\nreplacement = 'x'\ntests = ['tests/test_rule_pins_hello_miami.py']\n"
    )
    with pytest.raises(SystemExit, match="mutation 'moved': its original text occurs 0 times in sql_models/hello_miami/attendance.sql"):
        _runner().load(listed)

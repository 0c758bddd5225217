"""Each application's target settings (pipelines/targets.py): defaults, overrides, bad values."""

import pytest

from pipelines import targets
from pipelines.errors import CutoverError


def test_defaults_are_the_application_names_and_the_shared_database(monkeypatch):
    for name in ("PODIUM_SCHEMA", "HELLO_MIAMI_SCHEMA", "PODIUM_DATABASE_URL", "HELLO_MIAMI_DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DATABASE_URL", "postgres://u@h/shared")
    assert [(t.app, t.schema, t.candidate_schema, t.prev_schema) for t in targets.targets()] == [
        ("podium", "podium", "podium_next", "podium_prev"),
        ("hello_miami", "hello_miami", "hello_miami_next", "hello_miami_prev"),
    ]
    assert targets.by_database() == {"postgresql://u@h/shared": ["podium", "hello_miami"]}


def test_each_application_may_have_its_own_database_and_schema(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgresql://u@h/shared")
    monkeypatch.setenv("PODIUM_DATABASE_URL", "postgresql+psycopg://u@h/podium")
    monkeypatch.setenv("PODIUM_SCHEMA", "public")
    monkeypatch.delenv("HELLO_MIAMI_DATABASE_URL", raising=False)
    podium = targets.target("podium")
    assert (podium.schema, podium.candidate_schema, podium.url) == ("public", "podium_next", "postgresql://u@h/podium")
    assert targets.by_database() == {"postgresql://u@h/podium": ["podium"], "postgresql://u@h/shared": ["hello_miami"]}
    assert [t.app for t in targets.targets("hello_miami")] == ["hello_miami"]


@pytest.mark.parametrize("value, words", [("Podium-Live", "not a plain PostgreSQL schema name"),
                                          ("migration", "uses for its own tables"),
                                          ("hello_miami_next", "uses for its own tables")])
def test_a_bad_schema_setting_is_one_sentence_naming_it(monkeypatch, value, words):
    monkeypatch.setenv("PODIUM_SCHEMA", value)
    with pytest.raises(CutoverError, match=words) as info:
        targets.target("podium")
    assert str(info.value).startswith(f"PODIUM_SCHEMA={value!r}")


def test_an_unknown_application_names_the_known_ones():
    with pytest.raises(CutoverError, match="use one of podium, hello_miami"):
        targets.target("podium2")

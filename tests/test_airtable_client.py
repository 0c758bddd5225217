"""The live Airtable client against the HTTP stand-in: pagination, limits, expired offsets, errors."""

from __future__ import annotations

import time

import pytest

from pipelines.airtable import client
from pipelines.errors import CutoverError
from tests.standins.airtable import AirtableStandIn, make_records


@pytest.fixture
def standin_env(monkeypatch):
    def use(standin: AirtableStandIn, wait: float | None = None):
        for key, value in standin.env(wait).items():
            monkeypatch.setenv(key, value)
        # a fresh limiter per test: the stand-in's window starts empty too
        monkeypatch.setattr(client, "_limiters", {})
        return client.make_api()
    return use


def _list(table: str):
    api = client.make_api()
    return [r for page in client.iterate_pages(api, client.base_id(), table) for r in page]


def test_pagination_reaches_the_last_page_by_table_id(standin_env):
    records = make_records("users", 250)
    with AirtableStandIn({"users": records}, table_ids={"users": "tblUsers000000001"}) as standin:
        standin_env(standin)
        listed = _list("users")
    assert [r["id"] for r in listed] == [r["id"] for r in records]
    pages = [entry for entry in standin.log if "/tblUsers000000001" in entry[2]]
    assert len(pages) == 3 and standin.count(200) == 3  # 100 + 100 + 50, addressed by id


def test_limiter_keeps_a_long_listing_under_the_limit_and_near_it(standin_env):
    """40 pages: no 429 at all, never more than 5 requests in any second, >= 90 % of 5 req/s."""
    with AirtableStandIn({"votes": make_records("votes", 4000)}) as standin:
        standin_env(standin)
        started = time.monotonic()
        listed = _list("votes")
        elapsed = time.monotonic() - started
    assert len(listed) == 4000
    assert standin.count(429) == 0
    assert standin.max_in_any_second() <= 5
    times = [entry[0] for entry in standin.log]
    rate = (len(times) - 1) / (times[-1] - times[0])
    assert rate >= 0.9 * 5, f"{rate:.2f} requests/s over {elapsed:.1f} s"


def test_network_jitter_never_pushes_a_listing_over_the_limit(standin_env):
    """Transit times between 0 and 300 ms: a limiter that only spaced its sends would let a late
    request land next to its on-time successors; ours counts each request until its answer is back."""
    with AirtableStandIn({"votes": make_records("votes", 2000)}, jitter=0.3) as standin:
        standin_env(standin)
        assert len(_list("votes")) == 2000
    assert standin.count(429) == 0
    assert standin.max_in_any_second() <= 5


def test_a_429_is_waited_out_and_the_listing_completes(standin_env):
    """The stand-in allows only 2 req/s, so the client meets 429s; it waits the 2 s lock each time."""
    with AirtableStandIn({"users": make_records("users", 600)}, rate=2, lock_seconds=2) as standin:
        standin_env(standin, wait=2)
        listed = _list("users")
    assert len({r["id"] for r in listed}) == 600
    assert standin.count(429) >= 1
    log = standin.log
    for index, entry in enumerate(log[:-1]):
        if entry[3] == 429 and log[index - 1][3] != 429:
            # the next request after the first 429 of a lock comes only after the lock's 2 s
            assert log[index + 1][0] - entry[0] >= 2.0 - 0.05


def test_an_expired_offset_restarts_the_listing_without_duplicates(standin_env):
    records = make_records("projects", 350)
    with AirtableStandIn({"projects": records}, expire_offsets_on={3}) as standin:
        standin_env(standin)
        listed = _list("projects")
    assert sorted(r["id"] for r in listed) == sorted(r["id"] for r in records)
    assert standin.count(422) == 1
    assert standin.statuses()[:4] == [200, 200, 422, 200]  # the 4th request starts from page one


def test_a_single_server_error_is_retried(standin_env):
    with AirtableStandIn({"events": make_records("events", 150)}, fail={2: 500}) as standin:
        standin_env(standin)
        assert len(_list("events")) == 150
    assert standin.count(500) == 1


def test_persistent_server_errors_fail_with_one_sentence(standin_env):
    fail = {n: 500 for n in range(2, 10)}
    with AirtableStandIn({"events": make_records("events", 150)}, fail=fail) as standin:
        standin_env(standin)
        with pytest.raises(CutoverError, match="HTTP 500"):
            _list("events")


def test_a_wrong_key_names_the_setting(standin_env, monkeypatch):
    with AirtableStandIn({"users": make_records("users", 5)}) as standin:
        standin_env(standin)
        monkeypatch.setenv("AIRTABLE_API_KEY", "patSECRETwrong42")
        with pytest.raises(CutoverError, match="AIRTABLE_API_KEY") as raised:
            _list("users")
    assert "patSECRETwrong42" not in str(raised.value)  # the token never reaches a message


@pytest.mark.parametrize("missing", ["AIRTABLE_API_KEY", "AIRTABLE_BASE_ID"])
def test_missing_settings_name_the_variable(monkeypatch, missing):
    monkeypatch.setenv("AIRTABLE_API_KEY", "k")
    monkeypatch.setenv("AIRTABLE_BASE_ID", "b")
    monkeypatch.delenv(missing)
    with pytest.raises(CutoverError, match=missing):
        client.make_api()

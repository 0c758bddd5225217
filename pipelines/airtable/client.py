"""The live Airtable client: pyairtable on a session that respects the base's limits (SPEC §2.1).

Decisions:
- pyairtable's own retry (urllib3, ~3 s of backoff) is switched off; our transport adapter does the
  waiting instead: every request first takes a slot from a limiter shared by all tables of the base
  (pipelines/ratelimit.py: a sliding window measured from each answer's arrival, so no second on
  the server's clock ever holds more than 5 requests, whatever the network's jitter); a 429 is answered by
  waiting AIRTABLE_RATE_LIMIT_WAIT seconds (default 30, the penalty Airtable imposes) and retrying
  the same request; a 5xx is retried a few times with a short backoff, then the run fails (a rerun
  reloads from scratch, see pipelines/land.py).
- An endpoint that cannot be reached (refused, unknown host, no answer within CONNECT_TIMEOUT) is
  tried MAX_CONNECTION_RETRIES more times, then the run stops with one sentence naming
  AIRTABLE_ENDPOINT_URL: at most ~20 s, where requests' own error took minutes through every table.
- An expired offset (422 LIST_RECORDS_ITERATOR_NOT_AVAILABLE / INVALID_OFFSET_VALUE) restarts that
  table's listing from the first page; records already yielded are skipped by id, so a restart never
  duplicates (the version listed first wins).
- Secrets: the API key lives only in the session's Authorization header; it is never logged.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator

from pipelines import settings
from pipelines.errors import CutoverError
from pipelines.ratelimit import SlidingWindowLimiter

DEFAULT_ENDPOINT = "https://api.airtable.com"
REQUESTS_PER_SECOND = 5
EXPIRED_OFFSET_CODES = ("LIST_RECORDS_ITERATOR_NOT_AVAILABLE", "INVALID_OFFSET_VALUE")
MAX_OFFSET_RESTARTS = 5
MAX_SERVER_ERROR_RETRIES = 3
CONNECT_TIMEOUT = 5  # seconds to open a connection; reading a page may take longer (READ_TIMEOUT)
READ_TIMEOUT = 120
NEED = "read Podium's Airtable base"  # what its settings are for, in a missing setting's sentence
MAX_CONNECTION_RETRIES = 2
CLOCK_MARGIN_SECONDS = 0.01  # the server's clock and ours may disagree by a little


def table_name(table: str) -> str:
    """The name or id the base knows `table` by: AIRTABLE_TABLE_<TABLE>, else the name itself."""
    return settings.optional(f"AIRTABLE_TABLE_{table.upper()}", table)


def rate_limit_wait() -> float:
    """Seconds to wait after a 429 (AIRTABLE_RATE_LIMIT_WAIT, default Airtable's 30 s penalty)."""
    value = settings.optional("AIRTABLE_RATE_LIMIT_WAIT", "30")
    try:
        return float(value)
    except ValueError:
        raise CutoverError(f"AIRTABLE_RATE_LIMIT_WAIT={value!r} is not a number of seconds.") from None


_limiters: dict[str, SlidingWindowLimiter] = {}
_limiters_lock = threading.Lock()


def limiter_for(base_id: str) -> SlidingWindowLimiter:
    """One limiter per base per process: all tables (and threads) of a base share it."""
    with _limiters_lock:
        if base_id not in _limiters:
            _limiters[base_id] = SlidingWindowLimiter(REQUESTS_PER_SECOND, 1.0 + CLOCK_MARGIN_SECONDS)
        return _limiters[base_id]


def _limited_adapter(limiter: SlidingWindowLimiter, wait: float, endpoint: str):
    from requests.adapters import HTTPAdapter
    from requests.exceptions import ConnectionError, ConnectTimeout

    class LimitedAdapter(HTTPAdapter):
        """Takes a limiter slot before each request; waits out a 429 and retries; retries 5xx;
        retries a connection that cannot be opened a little, then names the setting."""

        def send(self, request, **kwargs):
            server_errors = connection_errors = 0
            while True:
                slot, _ = limiter.acquire()
                try:
                    response = super().send(request, **kwargs)
                except (ConnectionError, ConnectTimeout) as exc:
                    if connection_errors < MAX_CONNECTION_RETRIES:
                        connection_errors += 1
                        time.sleep(connection_errors)
                        continue
                    raise CutoverError(
                        f"Airtable at AIRTABLE_ENDPOINT_URL {endpoint} cannot be reached ({type(exc).__name__} after "
                        f"{connection_errors + 1} attempts); check that setting and the network, then rerun.") from None
                finally:
                    limiter.done(slot)
                if response.status_code == 429:
                    response.close()
                    limiter.close_for(wait)
                    continue
                if response.status_code >= 500 and server_errors < MAX_SERVER_ERROR_RETRIES:
                    server_errors += 1
                    response.close()
                    time.sleep(0.5 * server_errors)
                    continue
                return response

    return LimitedAdapter()


def make_api(api_key: str | None = None, endpoint_url: str | None = None, base_id: str | None = None):
    """A pyairtable Api whose session is rate limited for `base_id`."""
    from pyairtable import Api
    from requests import Session

    api_key = api_key or settings.require("AIRTABLE_API_KEY", "airtable", NEED)
    base_id = base_id or settings.require("AIRTABLE_BASE_ID", "airtable", NEED)
    endpoint = endpoint_url or settings.optional("AIRTABLE_ENDPOINT_URL", DEFAULT_ENDPOINT)
    api = Api(api_key, endpoint_url=endpoint, retry_strategy=None, timeout=(CONNECT_TIMEOUT, READ_TIMEOUT))
    session = Session()
    adapter = _limited_adapter(limiter_for(base_id), rate_limit_wait(), endpoint)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    session.headers.update(api.session.headers)  # pyairtable put the bearer token there
    api.session = session
    return api


def base_id() -> str:
    return settings.require("AIRTABLE_BASE_ID", "airtable", NEED)


def _is_expired_offset(exc: Exception) -> bool:
    response = getattr(exc, "response", None)
    if response is None or response.status_code != 422:
        return False
    return any(code in response.text for code in EXPIRED_OFFSET_CODES)


def iterate_pages(api, base: str, table: str) -> Iterator[list[dict]]:
    """Pages (lists of records) of `table`, restarting the listing when an offset expires.

    Records already yielded in an earlier attempt are skipped by id, so the union is duplicate-free.
    """
    from requests import HTTPError

    seen: set[str] = set()
    for attempt in range(MAX_OFFSET_RESTARTS + 1):
        try:
            for page in api.table(base, table_name(table)).iterate(page_size=100):
                fresh = [record for record in page if record["id"] not in seen]
                seen.update(record["id"] for record in fresh)
                if fresh:
                    yield fresh
            return
        except HTTPError as exc:
            if not _is_expired_offset(exc) or attempt == MAX_OFFSET_RESTARTS:
                raise _one_sentence(exc, table) from exc
    # unreachable: the loop either returns or raises


def _one_sentence(exc: Exception, table: str) -> CutoverError:
    response = getattr(exc, "response", None)
    status = response.status_code if response is not None else "no response"
    if status in (401, 403):
        return CutoverError(f"Airtable refused AIRTABLE_API_KEY for table {table} (HTTP {status}): check the token and its scopes.")
    if status == 404:
        return CutoverError(f"Airtable has no table {table_name(table)!r} in AIRTABLE_BASE_ID (HTTP 404): set AIRTABLE_TABLE_{table.upper()} to its name or id.")
    return CutoverError(f"listing Airtable table {table} failed with HTTP {status}; rerun `cutover land` (a rerun reloads the table from scratch).")


def fetch_schema(api, base: str) -> dict:
    """The base schema as the meta API returns it: {"tables": [{"name", "id", "fields": [...]}]}."""
    from requests import HTTPError

    url = str(api.build_url("meta/bases", base, "tables"))
    try:
        return api.request("GET", url)
    except HTTPError as exc:
        raise CutoverError(
            f"reading the Airtable base schema failed with HTTP {exc.response.status_code}: the token needs scope schema.bases:read."
        ) from exc


def endpoint_url() -> str:
    return os.environ.get("AIRTABLE_ENDPOINT_URL", "").strip() or DEFAULT_ENDPOINT

"""The HTTP side of the Luma source: dlt's RESTClient on a rate-limited, metered session.

Decisions:
- Retries are dlt's (`dlt.sources.helpers.requests.Client`, tenacity): 429 and 5xx are retried,
  and dlt's wait honours `Retry-After` when it is whole seconds, capped at
  `request_max_retry_delay`. We set that cap to LUMA_MAX_RETRY_DELAY (default 300 s, well above
  Luma's one-minute block) and LUMA_MAX_ATTEMPTS (default 8) so a 429 never ends the run early.
- dlt only honours integer `Retry-After`; so the transport adapter also parses it (seconds or an
  HTTP date) and closes the limiter until then. Every request, retries included, first waits at the
  limiter, so the run waits at least Retry-After whatever dlt decided.
- Client-side limit: at most LUMA_MAX_RPM (default 200) requests in any sliding 60-second window,
  so a normal run never meets a 429 at all.
- Counting happens in the transport adapter, so `RequestStats.requests` is the number of HTTP
  requests that really went out (retries included), which the sync records in migration.luma_syncs.
"""

from __future__ import annotations

import collections
import os
import threading
import time
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit

from pipelines.errors import CutoverError
from pipelines.settings import MissingSetting
from pipelines.ratelimit import SlidingWindowLimiter

DEFAULT_BASE_URL = "https://public-api.luma.com"
DEFAULT_EVENTS_PATH = "/v1/calendar/list-events"
DEFAULT_GUESTS_PATH = "/v1/event/get-guests"
DEFAULT_MAX_RPM = 200
DEFAULT_PAGE_SIZE = 50
# Events whose guests are listed at the same time. Each event's pages still follow one another (a
# cursor names the next page); the limiter, shared by every thread, keeps the key's limit. Eight
# is enough for the limiter, not the round trips, to set the pace at Luma's 200/min with 200-500 ms
# answers (the bench measures it), and stays under urllib3's 10 pooled connections per host.
GUEST_CONCURRENCY = 8


@dataclass
class RequestStats:
    """What one Luma source instance did over HTTP (read it after the pipeline ran).

    requests: HTTP requests sent (retries included); by_status: {status code: count} (None for a
    transport error); throttled: 429 answers; waited_seconds: time spent waiting at the limiter;
    listed: {"events": entries listed, "guests": entries listed} (the live source count).
    """

    requests: int = 0
    by_status: collections.Counter = field(default_factory=collections.Counter)
    throttled: int = 0
    waited_seconds: float = 0.0
    listed: dict = field(default_factory=lambda: {"events": 0, "guests": 0})
    paths: list = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def waited(self, seconds: float) -> None:
        with self._lock:
            self.waited_seconds += seconds

    def record(self, path: str, status: int | None) -> None:
        with self._lock:
            self.requests += 1
            self.by_status[status] += 1
            if status == 429:
                self.throttled += 1
            self.paths.append((path, status))


def retry_after_seconds(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
    except (TypeError, ValueError):
        return None


def _metered_adapter(limiter: SlidingWindowLimiter, stats: RequestStats):
    from requests.adapters import HTTPAdapter

    class MeteredAdapter(HTTPAdapter):
        """Waits at the limiter before, counts after, and closes the limiter on a 429."""

        def send(self, request, **kwargs):
            slot, waited = limiter.acquire()
            stats.waited(waited)
            path = urlsplit(request.url).path
            try:
                response = super().send(request, **kwargs)
            except Exception:
                stats.record(path, None)
                raise
            finally:
                limiter.done(slot)
            stats.record(path, response.status_code)
            if response.status_code == 429:
                limiter.close_for(retry_after_seconds(response.headers.get("Retry-After")) or 1.0)
            return response

    return MeteredAdapter()


def _paginator():
    from dlt.sources.helpers.rest_client.paginators import JSONResponseCursorPaginator

    class LumaPaginator(JSONResponseCursorPaginator):
        """`next_cursor` into `pagination_cursor`, but `has_more` decides: a cursor that lingers on
        the last page (has_more false) ends the listing, and so does a page without a cursor. A
        response without has_more follows the cursor, and a cursor seen before ends the listing
        (it would only repeat pages)."""

        def __init__(self):
            super().__init__(cursor_path="next_cursor", cursor_param="pagination_cursor")
            self._seen: set[str] = set()

        def update_state(self, response, data=None):
            body = response.json()
            cursor = body.get("next_cursor") if isinstance(body, dict) else None
            has_more = body.get("has_more") if isinstance(body, dict) else None
            if isinstance(has_more, str):
                has_more = has_more.strip().lower() == "true"
            self._next_reference = cursor or None
            if (has_more is not None and not has_more) or (cursor and cursor in self._seen):
                self._has_next_page = False
            if cursor:
                self._seen.add(cursor)

    return LumaPaginator()


def setting(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name, "").strip()
    return value or default


def api_key_from_settings() -> str:
    key = setting("LUMA_API_KEY")
    if not key:
        try:
            import dlt

            key = dlt.secrets.get("luma_api_key")
        except Exception:
            key = None
    if not key:
        raise MissingSetting("LUMA_API_KEY", "luma", "read Hello Miami's Luma calendar")
    return str(key)


class LumaClient:
    """A RESTClient for one calendar key, with pagination helpers. Never logs the key."""

    def __init__(self, base_url: str | None = None, api_key: str | None = None, stats: RequestStats | None = None,
                 max_rpm: int | None = None, rate_window: float = 60.0, page_size: int | None = None,
                 max_attempts: int | None = None, backoff_factor: float | None = None):
        from dlt.sources.helpers.requests.retry import Client
        from dlt.sources.helpers.rest_client import RESTClient

        self.stats = stats if stats is not None else RequestStats()
        self.base_url = (base_url or setting("LUMA_BASE_URL", DEFAULT_BASE_URL)).rstrip("/")
        self.events_path = setting("LUMA_EVENTS_PATH", DEFAULT_EVENTS_PATH)
        self.guests_path = setting("LUMA_GUESTS_PATH", DEFAULT_GUESTS_PATH)
        self.page_size = int(page_size or setting("LUMA_PAGE_SIZE", str(DEFAULT_PAGE_SIZE)))
        rpm = int(max_rpm or setting("LUMA_MAX_RPM", str(DEFAULT_MAX_RPM)))
        self.limiter = SlidingWindowLimiter(rpm, rate_window)
        http = Client(
            raise_for_status=False,  # RESTClient raises through its response hook after the retries
            request_max_attempts=int(max_attempts or setting("LUMA_MAX_ATTEMPTS", "8")),
            request_backoff_factor=float(backoff_factor if backoff_factor is not None else setting("LUMA_BACKOFF", "1")),
            request_max_retry_delay=float(setting("LUMA_MAX_RETRY_DELAY", "300")),
            respect_retry_after_header=True,
        )
        session = http.session
        adapter = _metered_adapter(self.limiter, self.stats)
        session.mount("http://", adapter)
        session.mount("https://", adapter)
        self.rest = RESTClient(base_url=self.base_url, headers={"x-luma-api-key": api_key or api_key_from_settings()},
                               data_selector="entries", session=session)

    def pages(self, path: str, params: dict):
        """Each page's `entries` list, following the cursor until has_more is false. An HTTP error
        left after the retries becomes one CutoverError sentence (never with the key in it)."""
        import requests

        params = {"pagination_limit": self.page_size, **{k: v for k, v in params.items() if v is not None}}
        try:
            for page in self.rest.paginate(path, params=params, paginator=_paginator()):
                yield list(page)
        except requests.HTTPError as exc:
            status = exc.response.status_code if exc.response is not None else "an error"
            hint = {401: "check LUMA_API_KEY", 403: "check LUMA_API_KEY",
                    404: "check LUMA_BASE_URL and the LUMA_*_PATH settings"}.get(status, "rerun later")
            raise CutoverError(f"Luma answered {status} for {path} after {self.stats.requests} requests; {hint}.") from exc
        except requests.RequestException as exc:
            raise CutoverError(f"Luma at LUMA_BASE_URL {self.base_url} did not answer ({exc.__class__.__name__}).") from exc

    def events(self, period_starts_after: str | None = None, period_ends_before: str | None = None):
        return self.pages(self.events_path, {"period_starts_after": period_starts_after,
                                             "period_ends_before": period_ends_before})

    def guests(self, event_api_id: str):
        return self.pages(self.guests_path, {"event_api_id": event_api_id})

    def guests_of(self, event_api_ids: list[str]):
        """(event api_id, its guest pages) for each event, in the order given, GUEST_CONCURRENCY
        events listed at a time. The first failure ends the listing (events not yet started are
        cancelled) and is raised as `pages` raised it."""
        from concurrent.futures import ThreadPoolExecutor

        pool = ThreadPoolExecutor(max_workers=GUEST_CONCURRENCY, thread_name_prefix="luma-guests")
        try:
            listed = pool.map(lambda event_api_id: list(self.guests(event_api_id)), event_api_ids)
            yield from zip(event_api_ids, listed)
        finally:
            pool.shutdown(wait=True, cancel_futures=True)

"""A Luma calendar API stand-in: a real HTTP server on 127.0.0.1 in a thread (SPEC §2.3).

Stable API (the landing and the incremental-sync tests both use it):

    with LumaStandin(events, guests, shape="wrapped", page_size=50, max_rpm=200,
                     block_seconds=60, linger_cursor=True) as luma:
        luma.url, luma.api_key          # base URL (no trailing slash) and the key it accepts
        luma.requests                   # [(monotonic time, path, status)] of every request
        luma.calls                      # [(monotonic time, path, status, {query params})]
        luma.rename_event(api_id, name) # also bumps the event's updated_at
        luma.update_event(api_id, **fields)
        luma.check_in(event_api_id, guest_api_id, at=None, on="guest"|"ticket")
        luma.add_event(event); luma.add_guest(event_api_id, guest)
        luma.delete_event(api_id)       # the event and its guests
        luma.fail(status=500, times=1, path_contains="", skip=0)   # inject errors
        luma.clear_failures(); luma.reset_log()

Data: `events` are flat event objects (each with `api_id`, or only `id` to exercise that form,
and `start_at` ISO-8601); `guests` maps an event's api_id to flat guest objects. The stand-in
keeps its own copies.

Behaviour, like Luma:
- `x-luma-api-key` must equal `api_key` (default "luma-test-key"), else 401.
- Paths: `/v1/calendar/list-events`, `/v1/event/get-guests?event_api_id=…` and the older
  `/public/v1/...` forms; anything else 404; an unknown event_api_id 404.
- Pages `{"entries", "has_more", "next_cursor"}`, `pagination_limit` honoured up to `page_size`,
  `pagination_cursor` opaque (an unknown one is 400). On the last page has_more is false and, with
  `linger_cursor=True`, `next_cursor` still holds that same page's cursor, so a client that ignores
  has_more loops forever.
- `period_starts_after` / `period_ends_before` filter list-events on start_at (inclusive).
- Events are listed in start_at order.
- shape "wrapped": `{"api_id", "event": {…}}` / `{"api_id", "guest": {…}}`; "flat": the object
  itself; "mixed": wrapped and flat alternately.
- Rate limit: more than `max_rpm` requests within `window_seconds` (default 60) answers 429 with
  `Retry-After` and blocks the key for `block_seconds`; every request during the block is 429 with
  the remaining seconds (rounded up). The count starts afresh after a block.
- `latency`: seconds each request spends in transit before the server counts it (a real network).
"""

from __future__ import annotations

import base64
import copy
import datetime as dt
import json
import math
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

LIST_EVENTS = ("/v1/calendar/list-events", "/public/v1/calendar/list-events")
GET_GUESTS = ("/v1/event/get-guests", "/public/v1/event/get-guests")


def _key(obj: dict) -> str:
    return str(obj.get("api_id") or obj.get("id"))


def _time(value: str | None) -> dt.datetime | None:
    if not value:
        return None
    parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.timezone.utc)


def _now_iso() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class LumaStandin:
    def __init__(self, events: list[dict], guests: dict[str, list[dict]] | None = None, shape: str = "wrapped",
                 page_size: int = 50, max_rpm: int = 200, block_seconds: float = 60, linger_cursor: bool = True,
                 window_seconds: float = 60, api_key: str = "luma-test-key", latency: float = 0.0):
        if shape not in ("wrapped", "flat", "mixed"):
            raise ValueError(f"shape must be wrapped, flat or mixed, not {shape!r}")
        self.events = [copy.deepcopy(e) for e in events]
        self.guests = {k: [copy.deepcopy(g) for g in v] for k, v in (guests or {}).items()}
        self.shape, self.page_size, self.linger_cursor = shape, page_size, linger_cursor
        self.max_rpm, self.block_seconds, self.window_seconds = max_rpm, block_seconds, window_seconds
        self.api_key = api_key
        self.latency = latency
        self.calls: list[tuple[float, str, int, dict]] = []
        self._window: list[float] = []
        self._blocked_until = 0.0
        self._failures: list[dict] = []
        self._lock = threading.RLock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # ------------------------------------------------------------ lifecycle
    def start(self) -> "LumaStandin":
        standin = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 (http.server's name)
                status, body, headers = standin._handle(self.path, self.headers)
                payload = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                for name, value in headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args):  # keep test output quiet
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, name="luma-standin", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> "LumaStandin":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def requests(self) -> list[tuple[float, str, int]]:
        with self._lock:
            return [(t, path, status) for t, path, status, _ in self.calls]

    def reset_log(self) -> None:
        with self._lock:
            self.calls.clear()

    # ------------------------------------------------------------ mutations between calls
    def _event(self, api_id: str) -> dict:
        for event in self.events:
            if _key(event) == api_id:
                return event
        raise KeyError(api_id)

    def update_event(self, api_id: str, **fields) -> None:
        with self._lock:
            event = self._event(api_id)
            event.update(fields)
            if "updated_at" not in fields:
                event["updated_at"] = _now_iso()

    def rename_event(self, api_id: str, name: str) -> None:
        self.update_event(api_id, name=name)

    def add_event(self, event: dict) -> None:
        with self._lock:
            self.events.append(copy.deepcopy(event))

    def delete_event(self, api_id: str) -> None:
        with self._lock:
            self.events.remove(self._event(api_id))
            self.guests.pop(api_id, None)

    def add_guest(self, event_api_id: str, guest: dict) -> None:
        with self._lock:
            self.guests.setdefault(event_api_id, []).append(copy.deepcopy(guest))

    def check_in(self, event_api_id: str, guest_api_id: str, at: str | None = None, on: str = "guest") -> None:
        """Check a guest in: `on="guest"` sets guest.checked_in_at (older responses), `on="ticket"`
        sets checked_in_at on its first event_tickets entry (newer responses)."""
        with self._lock:
            for guest in self.guests.get(event_api_id, []):
                if _key(guest) == guest_api_id:
                    stamp = at or _now_iso()
                    if on == "ticket":
                        tickets = guest.setdefault("event_tickets", [{}])
                        if not tickets:
                            tickets.append({})
                        tickets[0]["checked_in_at"] = stamp
                    else:
                        guest["checked_in_at"] = stamp
                    return
            raise KeyError((event_api_id, guest_api_id))

    def fail(self, status: int = 500, times: int = 1, path_contains: str = "", skip: int = 0) -> None:
        """The next `times` requests whose path contains `path_contains`, after `skip` such requests
        have passed, answer `status`."""
        with self._lock:
            self._failures.append({"status": status, "times": times, "path": path_contains, "skip": skip})

    def clear_failures(self) -> None:
        with self._lock:
            self._failures.clear()

    # ------------------------------------------------------------ request handling
    def _handle(self, raw_path: str, headers) -> tuple[int, dict, dict]:
        if self.latency:
            time.sleep(self.latency)  # transit before the server counts the request, outside the lock
        parts = urlsplit(raw_path)
        params = {k: v[0] for k, v in parse_qs(parts.query).items()}
        with self._lock:
            status, body, extra = self._answer(parts.path, params, headers)
            self.calls.append((time.monotonic(), parts.path, status, params))
        return status, body, extra

    def _answer(self, path: str, params: dict, headers) -> tuple[int, dict, dict]:
        if headers.get("x-luma-api-key") != self.api_key:
            return 401, {"message": "Invalid API key"}, {}
        now = time.monotonic()
        if now < self._blocked_until:
            return self._too_many(self._blocked_until - now)
        self._window = [t for t in self._window if now - t < self.window_seconds]
        if len(self._window) >= self.max_rpm:
            self._blocked_until = now + self.block_seconds
            self._window = []
            return self._too_many(self.block_seconds)
        self._window.append(now)
        for failure in self._failures:
            if failure["times"] > 0 and failure["path"] in path:
                if failure["skip"] > 0:
                    failure["skip"] -= 1
                    continue
                failure["times"] -= 1
                return failure["status"], {"message": "injected failure"}, {}
        if path in LIST_EVENTS:
            return self._list_events(params)
        if path in GET_GUESTS:
            return self._get_guests(params)
        return 404, {"message": f"No route {path}"}, {}

    @staticmethod
    def _too_many(seconds: float) -> tuple[int, dict, dict]:
        return 429, {"message": "Rate limit exceeded"}, {"Retry-After": str(max(1, math.ceil(seconds)))}

    def _list_events(self, params: dict) -> tuple[int, dict, dict]:
        after, before = _time(params.get("period_starts_after")), _time(params.get("period_ends_before"))
        chosen = [e for e in sorted(self.events, key=lambda e: (e.get("start_at") or "", _key(e)))
                  if (after is None or (_time(e.get("start_at")) and _time(e["start_at"]) >= after))
                  and (before is None or (_time(e.get("start_at")) and _time(e["start_at"]) <= before))]
        return self._page(chosen, "event", params)

    def _get_guests(self, params: dict) -> tuple[int, dict, dict]:
        event_api_id = params.get("event_api_id")
        if not event_api_id or not any(_key(e) == event_api_id for e in self.events):
            return 404, {"message": f"Event {event_api_id} not found"}, {}
        return self._page(self.guests.get(event_api_id, []), "guest", params)

    def _page(self, items: list[dict], kind: str, params: dict) -> tuple[int, dict, dict]:
        try:
            limit = max(1, min(int(params.get("pagination_limit", self.page_size)), self.page_size))
        except ValueError:
            return 400, {"message": "pagination_limit must be a number"}, {}
        cursor = params.get("pagination_cursor")
        offset = 0
        if cursor:
            try:
                offset = int(base64.urlsafe_b64decode(cursor.encode()).decode().removeprefix("offset:"))
            except ValueError:
                return 400, {"message": "Invalid pagination_cursor"}, {}
        page = items[offset:offset + limit]
        has_more = offset + limit < len(items)
        if has_more:
            next_cursor = self._cursor(offset + limit)
        else:
            next_cursor = self._cursor(offset) if self.linger_cursor else None
        entries = [self._shape(copy.deepcopy(item), kind, offset + i) for i, item in enumerate(page)]
        return 200, {"entries": entries, "has_more": has_more, "next_cursor": next_cursor}, {}

    @staticmethod
    def _cursor(offset: int) -> str:
        return base64.urlsafe_b64encode(f"offset:{offset}".encode()).decode()

    def _shape(self, item: dict, kind: str, index: int) -> dict:
        wrapped = self.shape == "wrapped" or (self.shape == "mixed" and index % 2 == 0)
        return {"api_id": _key(item), kind: item} if wrapped else item

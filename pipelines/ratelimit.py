"""A client-side sliding-window rate limiter that holds on the server's clock, whatever the network does.

The server counts a request when it arrives, somewhere between the client sending it and the answer
coming back. A limiter that spaces *sends* can be beaten by jitter: one request delayed in transit
lands right before its on-time successors, and the server sees one too many in a window. So a
request occupies its slot from `acquire()` (in flight: counted, never expired) until `done(slot)`
stamps it with the time its answer arrived; a new request may go out only when fewer than
`max_requests` slots are in flight or answered within the last `window` seconds. Then any two
requests `max_requests` apart arrive at least `window` apart on the server: a proof, not a margin.
For a sequential listing the cost is one round trip per window (5 requests per 1 s + latency).

Shared by the Airtable (5 requests/s per base) and Luma (200 requests/min per key) clients.
"""

from __future__ import annotations

import collections
import math
import threading
import time


class SlidingWindowLimiter:
    """At most `max_requests` in any `window` seconds, plus a closed-until time (a 429's penalty).

    Thread-safe: every thread (and table) talking to one base or key shares one instance.
    """

    def __init__(self, max_requests: int, window: float):
        self.max_requests = max(1, int(max_requests))
        self.window = float(window)
        self._slots: collections.deque[list[float]] = collections.deque()
        self._closed_until = 0.0
        self._changed = threading.Condition()

    def close_for(self, seconds: float) -> None:
        """Nobody may send before `seconds` from now (after a 429: the server's lock)."""
        with self._changed:
            self._closed_until = max(self._closed_until, time.monotonic() + seconds)

    def acquire(self) -> tuple[list[float], float]:
        """Wait for a slot; returns (slot, seconds waited). Pass the slot to `done()` afterwards."""
        started = time.monotonic()
        with self._changed:
            while True:
                now = time.monotonic()
                while self._slots and now - self._slots[0][0] >= self.window:
                    self._slots.popleft()
                delay = self._closed_until - now
                if delay <= 0 and len(self._slots) >= self.max_requests:
                    delay = self._slots[0][0] + self.window - now  # inf while that one is in flight
                if delay <= 0:
                    slot = [math.inf]
                    self._slots.append(slot)
                    return slot, now - started
                self._changed.wait(None if math.isinf(delay) else delay)

    def done(self, slot: list[float]) -> None:
        """The answer (or a transport error) arrived: the window for this request starts counting."""
        with self._changed:
            slot[0] = time.monotonic()
            self._changed.notify_all()


def pace_floor(requests: int, max_requests: int, window: float, latency: float) -> float:
    """The least time `requests` requests can take through a SlidingWindowLimiter when every answer
    comes `latency` seconds after its send, however many are sent at once: each slot is held from
    its send to its answer plus `window`, so `max_requests` go per `window + latency`. Above the
    plain floor (requests at `max_requests` per `window`) by the share of latency in it: the price
    of the proof, since a client cannot tell where in its round trip the server counted."""
    rounds = max(0, math.ceil(requests / max_requests) - 1)
    return rounds * (window + latency) + latency

"""Shared pieces of the sample generator: the seeded context, ids, times and the tally.

Decisions:
- One `random.Random(seed)` drives everything, in a fixed call order, so a seed gives
  byte-identical files. `captured_at` is derived from the seed, never from the clock.
- The tally records every record's fate (migrated / merged / quarantined with its reason) at
  the moment the generator deliberately creates it: expected.json is counted by construction,
  and `tests/oracle.py` recomputes it from the files as an independent check.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import string
from collections import Counter, defaultdict

UTC = dt.timezone.utc
EPOCH = dt.datetime(2023, 1, 1, tzinfo=UTC)
_MS = dt.timedelta(milliseconds=1)
_B62 = string.digits + string.ascii_uppercase + string.ascii_lowercase
_B36 = string.ascii_uppercase + string.digits
# byte -> character tables: ids from rng.randbytes in one C call (tiny bias is irrelevant here)
_B62_TABLE = bytes(ord(_B62[b % 62]) for b in range(256))
_B36_TABLE = bytes(ord(_B36[b % 36]) for b in range(256))


try:  # orjson comes with dlt; ten times faster, which keeps --scale 100 well under a minute
    import orjson

    def dumps(obj) -> str:
        """One JSON line: sorted keys, compact, UTF-8 kept (Airtable and Luma answer like this)."""
        return orjson.dumps(obj, option=orjson.OPT_SORT_KEYS).decode()
except ImportError:  # pragma: no cover - same bytes, slower
    def dumps(obj) -> str:
        """One JSON line: sorted keys, compact, UTF-8 kept (Airtable and Luma answer like this)."""
        return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def iso_z(t: dt.datetime) -> str:
    """Airtable/Luma style timestamp: millisecond precision, `Z` suffix (t is UTC)."""
    return (f"{t.year:04d}-{t.month:02d}-{t.day:02d}T{t.hour:02d}:{t.minute:02d}:{t.second:02d}."
            f"{t.microsecond // 1000:03d}Z")


class Tally:
    """Fates per source table, reasons, merge rules, value fixes, conflicts and dirt counts."""

    def __init__(self) -> None:
        self.fates: dict[str, Counter] = defaultdict(Counter)
        self.reasons: dict[str, Counter] = defaultdict(Counter)
        self.merge_rules: dict[str, Counter] = defaultdict(Counter)
        self.value_fixes: dict[str, Counter] = defaultdict(Counter)
        self.conflicts: Counter = Counter()
        self.dirt: Counter = Counter()
        self.targets: dict[str, int] = {}

    def migrated(self, table: str, n: int = 1) -> None:
        self.fates[table]["migrated"] += n

    def merged(self, table: str, rule: str, n: int = 1) -> None:
        self.fates[table]["merged"] += n
        self.merge_rules[table][rule] += n
        self.dirt[f"{table}: {rule}"] += n

    def quarantined(self, table: str, reason: str, n: int = 1) -> None:
        self.fates[table]["quarantined"] += n
        self.reasons[table][reason] += n
        self.dirt[f"{table}: {reason}"] += n

    def fixed(self, table: str, reason: str, n: int = 1) -> None:
        self.value_fixes[table][reason] += n
        self.dirt[f"{table}: {reason}"] += n

    def conflict(self, kind: str, n: int = 1) -> None:
        self.conflicts[kind] += n
        self.dirt[f"conflict: {kind}"] += n

    def update(self, other: "Tally") -> None:
        for mine, theirs in ((self.fates, other.fates), (self.reasons, other.reasons),
                             (self.merge_rules, other.merge_rules), (self.value_fixes, other.value_fixes)):
            for k, v in theirs.items():
                mine[k].update(v)
        self.conflicts.update(other.conflicts)
        self.dirt.update(other.dirt)
        self.targets.update(other.targets)

    def note(self, name: str, n: int = 1) -> None:
        """Dirt that changes no fate (a re-pointed link, an `icon`-only badge, …)."""
        self.dirt[name] += n


class Ctx:
    """The seeded state of one generation run."""

    def __init__(self, scale: float, seed: int, stream: str = "") -> None:
        if scale <= 0:
            raise ValueError("scale must be positive")
        self.scale = scale
        self.seed = seed
        # one stream per application, so the two can be written in parallel processes
        self.rng = random.Random(f"{seed}:{stream}" if stream else seed)
        # captured_at from its own stream so it depends on the seed only
        days = random.Random(f"captured-{seed}").randrange(0, 28 * 86400)
        self.captured_at = dt.datetime(2026, 2, 1, 6, 0, tzinfo=UTC) + dt.timedelta(seconds=days)
        self._default_hi = self.captured_at - dt.timedelta(days=1)
        self.tally = Tally()
        self.counts: dict[str, int] = {}
        self._rec_ids: set[str] = set()
        self._codes: set[str] = set()
        self._luma_ids: set[str] = set()

    # sizes
    def n(self, base: float, minimum: int = 1) -> int:
        """A structural count at this scale (floor, at least `minimum`)."""
        return max(minimum, int(base * self.scale))

    def d(self, base: float = 1) -> int:
        """How many instances of one kind of dirt: proportional, never zero."""
        return max(1, int(base * self.scale))

    # ids
    def rec_id(self) -> str:
        """An Airtable record id: `rec` + 14 base-62 characters (17 in all)."""
        while True:
            rid = "rec" + self.rng.randbytes(14).translate(_B62_TABLE).decode()
            if rid not in self._rec_ids:
                self._rec_ids.add(rid)
                return rid

    def luma_id(self, prefix: str) -> str:
        """A Luma id like `evt-AbC123xyz789QwE` (unique within the run)."""
        while True:
            rid = prefix + "-" + self.rng.randbytes(15).translate(_B62_TABLE).decode()
            if rid not in self._luma_ids:
                self._luma_ids.add(rid)
                return rid

    def code(self, length: int = 6) -> str:
        """A join code, unique across events and projects of the run."""
        while True:
            c = self.rng.randbytes(length).translate(_B36_TABLE).decode()
            if c not in self._codes:
                self._codes.add(c)
                return c

    def ri(self, lo: int, hi: int) -> int:
        """randint(lo, hi), several times cheaper (the generator draws millions of them)."""
        return lo + int(self.rng.random() * (hi - lo + 1))

    def object_id(self, t: dt.datetime):
        from bson import ObjectId

        head = int(t.timestamp()).to_bytes(4, "big")
        return ObjectId(head + self.rng.getrandbits(64).to_bytes(8, "big"))

    # times
    def when(self, lo: dt.datetime = EPOCH, hi: dt.datetime | None = None) -> dt.datetime:
        """A random instant in [lo, hi) with millisecond precision (BSON keeps milliseconds)."""
        if hi is None:
            hi = self._default_hi
        span = (hi - lo) // _MS
        return lo + _MS * int(self.rng.random() * max(span, 1))

    def after(self, t: dt.datetime) -> dt.datetime:
        """A random instant after t and before the capture (a later copy of a record)."""
        return t + (self._default_hi - t) * (0.05 + 0.9 * self.rng.random()) if t < self._default_hi else t + _MS

    def pick_where(self, pools: tuple, ok, tries: int = 64):
        """A random tuple (one element of each pool) satisfying ok(*tuple): random tries first,
        then the full enumeration, so crowded small samples still terminate and large ones stay fast."""
        for _ in range(tries):
            combo = tuple(self.pick(p) for p in pools)
            if ok(*combo):
                return combo
        import itertools

        return self.pick([c for c in itertools.product(*pools) if ok(*c)])

    def pick(self, seq):
        return seq[int(self.rng.random() * len(seq))]

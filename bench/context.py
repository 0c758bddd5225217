"""What the benchmark phases share: the sample, the scratch database, and the figures so far."""

from __future__ import annotations

import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Context:
    scale: float
    seed: int
    work_dir: Path
    sample_dir: Path | None = None
    database_url: str | None = None
    figures: dict = field(default_factory=dict)

    @contextmanager
    def timed(self, name: str):
        """Store the wall time of the block as figures[name] (seconds)."""
        started = time.perf_counter()
        yield
        self.figures[name] = round(time.perf_counter() - started, 3)

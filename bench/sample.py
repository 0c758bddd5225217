"""The bench's samples: `cutover sample --scale F --seed S`, generated once per (scale, seed) into
`.local/bench/sample-scale{F}-seed{S}` and reused while its manifest is there (scale 100 takes minutes)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path


def ensure_sample(work_dir: Path, scale: float, seed: int) -> tuple[Path, int]:
    """(snapshot dir, source records in its manifest)."""
    out = work_dir / f"sample-scale{scale:g}-seed{seed}"
    marker = out / "bench-sample.json"
    wanted = {"scale": scale, "seed": seed}
    reusable = (out / "manifest.json").is_file() and (not marker.is_file() or json.loads(marker.read_text()) == wanted)
    if not reusable:
        subprocess.run([sys.executable, "-m", "assets.cli", "sample", "--out", str(out), "--scale", f"{scale:g}",
                        "--seed", str(seed)], check=True)
        marker.write_text(json.dumps(wanted) + "\n")
    counts = json.loads((out / "manifest.json").read_text()).get("counts", {})
    return out, sum(counts.values())

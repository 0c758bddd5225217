"""`cutover sample --out DIR [--scale F] [--seed N]`: write a realistic, dirty sample snapshot."""

from __future__ import annotations

import time


def run(args) -> int:
    from pipelines.errors import CutoverError

    from .generate import generate

    scale = 1.0 if getattr(args, "scale", None) is None else float(args.scale)
    seed = 42 if getattr(args, "seed", None) is None else int(args.seed)
    if scale <= 0:
        raise CutoverError(f"--scale {scale} is not positive: pass a scale above 0, e.g. --scale 1.")
    started = time.monotonic()
    try:
        expected = generate(args.out, scale, seed)
    except OSError as exc:
        raise CutoverError(f"cannot write the sample into {args.out}: {exc.strerror or exc}.") from exc
    counts = sum(c["source"] for k, c in expected["classification"].items() if k.count(".") == 1)
    print(f"sample written to {args.out}: {counts} source records (scale {scale:g}, seed {seed}) "
          f"in {time.monotonic() - started:.1f}s; expected numbers in {args.out}/expected.json")
    return 0

"""A deterministic generator of a realistic, dirty source snapshot (SPEC §2.4).

`generate(out, scale, seed)` writes the snapshot and `expected.json` beside it; `expected.py`
is an independent oracle that recomputes the expected numbers from the written files.
"""

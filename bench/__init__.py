"""`make bench` (`python -m bench`): timed phases of the pipeline on a large sample.

Phases live in `bench/phases.py` as functions `phase(ctx) -> dict` registered in PHASES; the runner
(`bench/__main__.py`) runs them in order on one fresh database of the same server, prints each
phase's figures and writes `bench/results/<UTC date>.json`. Add a phase by writing a function and
appending it to PHASES (e.g. transform, reconcile after land).
"""

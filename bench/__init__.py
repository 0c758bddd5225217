"""`make bench` (`python -m bench`): the whole dry-run at scale 1 and 100, per phase, against floors.

sample.py (reused samples) -> dryrun.py (scratch database, child `cutover dry-run`, peak memory) ->
events.py (per-phase seconds from Dagster's event log) -> floor.py (bare COPY; count(*) over the
candidate tables) -> report.py (table, targets) -> bench/results/<UTC date>.json.
"""

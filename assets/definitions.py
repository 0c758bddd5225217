"""The project's code location: every phase's definitions merged, with the shared resources.

Each phase keeps its assets, checks, jobs and schedules in `assets/<phase>/definitions.py`.

Every job runs in process (one run worker executes the steps one after another), as the CLI's
`execute_in_process` does: the multiprocess default started a Python process per step (57 steps,
each importing Dagster, dlt and GX), which made a UI dry-run ~3x slower than the same CLI run on
two cores, while the steps gain little from running side by side (the land step already lands the
sources concurrently, and the models are set-based SQL in one server).
"""

import dagster as dg

from assets import jobs
from assets.cutover import definitions as cutover
from assets.gates import definitions as gates
from assets.land import definitions as land
from assets.resources import shared_resources
from assets.sync import definitions as sync
from assets.transform import definitions as transform

defs = dg.Definitions.merge(
    land.defs,
    transform.defs,
    gates.defs,
    cutover.defs,
    sync.defs,
    dg.Definitions(jobs=jobs.jobs, resources=shared_resources(), executor=dg.in_process_executor),
)

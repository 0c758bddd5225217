"""The project's code location: every phase's definitions merged, with the shared resources.

Each phase keeps its assets, checks, jobs and schedules in `assets/<phase>/definitions.py`.
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
    dg.Definitions(jobs=jobs.jobs, resources=shared_resources()),
)

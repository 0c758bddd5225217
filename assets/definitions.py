"""The project's code location: every phase's definitions merged, with the shared resources.

Each phase keeps its assets, checks, jobs and schedules in `assets/<phase>/definitions.py`.

Every job runs in process (one run worker), as the CLI's runs do, with up to two steps at once in
its threads (assets/executor.py): the multiprocess default started a Python process per step (57
steps, each importing Dagster, dlt and GX), which made a UI dry-run ~3x slower than the same CLI
run on two cores, while one step after another left a core idle whenever a step waited for
PostgreSQL.
"""

import dagster as dg

from assets import jobs
from assets.executor import threaded_in_process_executor
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
    dg.Definitions(jobs=jobs.jobs, resources=shared_resources(), executor=threaded_in_process_executor),
)

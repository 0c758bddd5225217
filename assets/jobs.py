"""The jobs that span phases. Group names are the contract between the phases:

land (raw_*), staging, intermediate, podium / hello_miami (candidate tables), reconcile, report.
"""

import dagster as dg

LAND_GROUPS = ["land"]
DRY_RUN_GROUPS = ["land", "staging", "intermediate", "podium", "hello_miami", "reconcile"]

land_job = dg.define_asset_job(
    "land",
    selection=dg.AssetSelection.groups(*LAND_GROUPS),
    description="Land every source (live or snapshot) into the raw schemas and run the land gate.",
)

dry_run_job = dg.define_asset_job(
    "dry_run",
    selection=dg.AssetSelection.groups(*DRY_RUN_GROUPS),
    description="Land, transform into podium_next / hello_miami_next, reconcile, with every gate.",
)

jobs = [land_job, dry_run_job]

"""The jobs that span phases. Group names are the contract between the phases (design.md):

`<app>_raw`, `<app>_staging`, `<app>_intermediate`, `<app>_candidates`, `<app>_reconcile` per
application, and `report`. `land` and `dry_run` cover both applications; `<app>_land` and
`<app>_dry_run` one, so a team runs (and the UI materializes) its own application alone.
"""

import dagster as dg

from assets.job_names import group_name, job_name
from pipelines import registry

DRY_RUN_LAYERS = ("raw", "staging", "intermediate", "candidates", "reconcile")


def land_groups(*apps: str) -> list[str]:
    return [group_name(app, "raw") for app in apps or registry.APPLICATIONS]


def dry_run_groups(*apps: str) -> list[str]:
    return [group_name(app, layer) for app in apps or registry.APPLICATIONS for layer in DRY_RUN_LAYERS]


def _jobs(app: str | None, whose: str) -> list:
    apps = (app,) if app else ()
    return [
        dg.define_asset_job(
            job_name("land", app),
            selection=dg.AssetSelection.groups(*land_groups(*apps)),
            description=f"Land {whose} sources (live or snapshot) into the raw schemas and run the land gate.",
        ),
        dg.define_asset_job(
            job_name("dry_run", app),
            selection=dg.AssetSelection.groups(*dry_run_groups(*apps)),
            description=f"Land, transform into the candidate schemas, reconcile, with every gate: {whose}.",
        ),
    ]


jobs = _jobs(None, "every application's") + [job for app in registry.APPLICATIONS for job in _jobs(app, f"{app}'s")]

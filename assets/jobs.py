"""The jobs that span phases. Group names are the contract between the phases (design.md):

`<app>_raw`, `<app>_staging`, `<app>_intermediate`, `<app>_candidates`, `<app>_reconcile` per
application, and `report`. `land` and `dry_run` cover both applications; `<app>_land` and
`<app>_dry_run` one, so a team runs (and the UI materializes) its own application alone.
"""

import dagster as dg

from assets.cutover.locks import RUN_TAGS
from assets.gates.report_asset import dry_run_report
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
            # the report last, so a passing run links its own report (assets/gates/report_asset.py)
            selection=dg.AssetSelection.groups(*dry_run_groups(*apps)) | dg.AssetSelection.assets(dry_run_report),
            description=f"Land, transform into the candidate schemas, reconcile, with every gate: {whose}.",
            # never beside another dry-run, an apply, a rollback or the sync (the instance's queue)
            tags=RUN_TAGS,
        ),
    ]


jobs = _jobs(None, "every application's") + [job for app in registry.APPLICATIONS for job in _jobs(app, f"{app}'s")]

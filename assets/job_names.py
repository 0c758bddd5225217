"""The jobs' names (design.md), apart from their definitions so the report sensor can name them
without importing the jobs (assets/jobs.py and the gates' definitions are independent layers)."""

from pipelines import registry


def job_name(kind: str, app: str | None = None) -> str:
    """`land` / `dry_run`, or one application's (`podium_land`, `hello_miami_dry_run`)."""
    return f"{app}_{kind}" if app else kind


DRY_RUN_JOBS = tuple(job_name("dry_run", app) for app in (None, *registry.APPLICATIONS))

"""The names of jobs and groups (design.md), apart from their definitions so the report sensor and
the land step can name them without importing the jobs (assets/jobs.py and the phases'
definitions are independent layers)."""

from pipelines import registry


def job_name(kind: str, app: str | None = None) -> str:
    """`land` / `dry_run`, or one application's (`podium_land`, `hello_miami_dry_run`)."""
    return f"{app}_{kind}" if app else kind


DRY_RUN_JOBS = tuple(job_name("dry_run", app) for app in (None, *registry.APPLICATIONS))


def apps_of_job(name: str) -> list[str]:
    """The applications a job covers: `<app>_<kind>` that one, a combined job every one."""
    return [app for app in registry.APPLICATIONS if name.startswith(f"{app}_")] or list(registry.APPLICATIONS)


def group_name(app: str, layer: str) -> str:
    """`<app>_<layer>`: layers raw, staging, intermediate, candidates, reconcile."""
    return f"{app}_{layer}"


def raw_group(source: str) -> str:
    """The group of a source's raw tables: its application's `<app>_raw`."""
    return group_name(registry.application_of(source), "raw")

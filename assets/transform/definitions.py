"""The transform phase: SQL models from raw to the candidate schemas, one asset per model.

Groups per application and layer: `<app>_staging`, `<app>_intermediate`, `<app>_candidates`,
`<app>_reconcile` (assets/jobs.py's `dry_run` and `<app>_dry_run` select them by group). The factory is `assets/transform/models.py`.
"""

import dagster as dg

from assets.transform.models import build_assets

defs = dg.Definitions(assets=build_assets())

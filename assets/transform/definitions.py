"""The transform phase: SQL models from raw to the candidate schemas, one asset per model.

Groups per layer: staging, intermediate, podium, hello_miami, reconcile (assets/jobs.py's
`dry_run` selects them by group). The factory is `assets/transform/models.py`.
"""

import dagster as dg

from assets.transform.models import build_assets

defs = dg.Definitions(assets=build_assets())

"""Gates and reports: GX suites as blocking asset checks on every phase, and the report job."""

import dagster as dg

from assets.gates.checks import build_checks
from assets.gates.report_asset import dry_run_report, dry_run_report_job
from assets.gates.report_sensor import report_on_failure
from assets.gates.resource import GreatExpectationsResource

defs = dg.Definitions(
    assets=[dry_run_report],
    asset_checks=build_checks(),
    jobs=[dry_run_report_job],
    sensors=[report_on_failure],
    resources={"great_expectations": GreatExpectationsResource()},
)

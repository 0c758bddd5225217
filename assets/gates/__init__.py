"""Gates and reports: GX suites as blocking asset checks, report.html, reconciliation.json."""

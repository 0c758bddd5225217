"""Great Expectations suites for the three gates (SPEC §5), per phase and application.

`gates.Gate` is one rule on one table; `land`, `transform`, `reconcile` and `row_compare` build
them; `runner` turns them into GX suites (one per phase, application and table), validation
definitions and one checkpoint per phase and application, runs them, and builds Data Docs.

Decision: almost every rule is an `UnexpectedRowsExpectation` whose SQL returns the offending
keys, so the work stays in PostgreSQL (one query per rule) and a failure carries its examples.
Counts against what the source reported use GX's own runtime parameters (`{"$PARAMETER": ...}`).

Cost at `--scale 100` (1.56 M source records, embedded PostgreSQL, 2 cores), GX's own time
included: see the README's "Measured" section for the latest bench figures. GX runs every
`UnexpectedRowsExpectation` query twice (a count, then a fetch); `single_pass` makes it once.
"""

"""Great Expectations suites for the three gates (SPEC §5), per phase and application.

`gates.Gate` is one rule on one table; `land`, `transform`, `reconcile` and `row_compare` build
them; `runner` turns them into GX suites (one per phase, application and table), validation
definitions and one checkpoint per phase and application, runs them, and builds Data Docs.

Decision: almost every rule is an `UnexpectedRowsExpectation` whose SQL returns the offending
keys, so the work stays in PostgreSQL (one query per rule) and a failure carries its examples.
Counts against what the source reported use GX's own runtime parameters (`{"$PARAMETER": ...}`).

Cost, measured once at `--scale 100` (1.87 M raw records, embedded PostgreSQL, 2 cores): land
gates 72 rules in 15 s (GX import and context included), transform gates 81 rules in 25 s,
reconcile gates 59 rules in 138 s (row-level comparison and raw <-> classification anti-joins
over every record), about 3 minutes against about 10 minutes for landing plus the models. GX runs
every `UnexpectedRowsExpectation` query twice (a count, then a fetch of up to 200 rows), which is
most of what a cheaper reconcile gate would save.
"""

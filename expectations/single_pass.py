"""`ExpectNoUnexpectedRows`: GX's `UnexpectedRowsExpectation`, with its query run once instead of twice.

GX 1.x evaluates an `UnexpectedRowsExpectation` through two metrics, a `count(*)` over the query
and a fetch of its first 200 rows, so PostgreSQL runs every rule's query twice. Our rules scan whole
raw and candidate tables (the row-level comparison reads every migrated record), and the second
pass was half of the reconcile gate's time at scale 100 (bench/). This subclass depends on the
fetch alone; the query carries its own total as a window count (`count(*) over ()`, computed in the
same pass), so the result holds the same `observed_value` (the number of offending rows) and the
same example rows as GX's own expectation. Importing GX is the caller's business: this module is
imported only where GX already is (`expectations.runner`).
"""

from __future__ import annotations

from typing import Any, ClassVar, Tuple

from great_expectations.expectations import UnexpectedRowsExpectation

TOTAL = "unexpected_total"


def with_total(sql: str) -> str:
    """The rule's query with the number of all its rows on every row (column `unexpected_total`).

    GX substitutes `{batch}` with a subquery, which it aliases itself only in a query without a
    JOIN ("join queries require the user to have taken care of aliasing"); PostgreSQL 15 refuses a
    subquery in FROM without an alias (16 allows it), so a query with a join names it here, by GX's
    own test for a join."""
    from great_expectations.expectations.metrics.query_metric_provider import _query_has_join_clause

    query = f"select q.*, count(*) over () as {TOTAL} from ({sql}) as q"
    return query.replace("{batch}", "{batch} as gx_batch") if _query_has_join_clause(query) else query


class ExpectNoUnexpectedRows(UnexpectedRowsExpectation):
    """The query (built with `with_total`) returns no rows; one execution per validation."""

    metric_dependencies: ClassVar[Tuple[str, ...]] = ("unexpected_rows_query.table",)

    def _validate(self, metrics: dict, runtime_configuration: dict | None = None, execution_engine: Any = None):
        rows = metrics["unexpected_rows_query.table"] or []
        total = int(rows[0][TOTAL]) if rows else 0
        examples = [{k: v for k, v in row.items() if k != TOTAL} for row in rows]
        return {"success": total == 0, "result": {"observed_value": total, "details": {"unexpected_rows": examples}}}

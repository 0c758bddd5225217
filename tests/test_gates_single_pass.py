"""The row rules' GX expectation runs its query once and still counts every offending row."""

from __future__ import annotations

from expectations import runner
from expectations.gates import Gate
from pipelines.database import connect, sqlalchemy_url


def _gate(sql: str) -> Gate:
    return Gate("reconcile", "podium", "scratch.numbers", "no numbers", "scratch.numbers", ("scratch", "numbers"), sql=sql)


def test_a_rule_query_runs_once_and_counts_beyond_the_fetched_examples(db_url):
    with connect(db_url, autocommit=True) as conn:
        conn.execute("create schema scratch; create table scratch.numbers (n int); create sequence scratch.evaluated")
        conn.execute("insert into scratch.numbers select generate_series(1, 250)")
    # nextval() counts the rows PostgreSQL computed: GX's own expectation would compute them twice
    sql = "select n::text as key, nextval('scratch.evaluated')::text as detail from {batch}"
    [outcome], _ = runner.run_gates(runner.context(sqlalchemy_url(db_url)), [_gate(sql)])
    with connect(db_url) as conn:
        evaluated = conn.execute("select last_value from scratch.evaluated").fetchone()[0]
    assert evaluated == 250
    assert not outcome.passed and outcome.failed_count == 250  # GX fetches 200 rows; the total is exact
    assert len(outcome.examples) == runner.MAX_EXAMPLES and outcome.examples[0].split(":")[0].isdigit()


def test_a_rule_with_no_rows_passes_with_a_count_of_zero(db_url):
    with connect(db_url, autocommit=True) as conn:
        conn.execute("create schema scratch; create table scratch.numbers (n int)")
    [outcome], _ = runner.run_gates(runner.context(sqlalchemy_url(db_url)), [_gate("select n::text as key, '' as detail from {batch}")])
    assert outcome.passed and outcome.failed_count == 0 and outcome.examples == []


def test_a_rule_with_a_join_names_its_batch_for_postgresql_15():
    """GX aliases the `{batch}` subquery itself only in a query without a JOIN; PostgreSQL 15
    refuses an unnamed subquery in FROM (tests/test_distribution_server.py runs the gates there)."""
    from expectations.single_pass import with_total

    joined = with_total("select l.id as key from (select * from {batch}) as l join migration.runs as r on r.run_id = l.run_id")
    assert "from {batch} as gx_batch)" in joined
    alone = with_total("select id as key from {batch} where id is null")
    assert "{batch} where" in alone and "gx_batch" not in alone

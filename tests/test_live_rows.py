"""Rows already live (issue 14, SPEC §4): the live tables are landed by the dry-run, and `cutover
apply` never deletes or overwrites what the application wrote: a live row the candidates lack, or a
write since the dry-run, is refused (exit 3) with the tables and the counts, live rows untouched.

Candidates and the dry-run's records are written by hand (tests/test_cutover_apply.py's helpers);
the live landing is the real one the candidate step runs.
"""

from __future__ import annotations

from pipelines import live, targets
from pipelines.database import connect
from tests.test_cutover_apply import (  # noqa: F401  (fixtures)
    cli, contents, dagster_db, dagster_env, live_and_candidates, seed_candidates, seed_live, uid,
)


def land_live(url, run_id="dry-1") -> dict:
    with connect(url) as conn:
        return {t.app: live.land(conn, t, run_id) for t in targets.targets()}


def test_the_dry_run_lands_every_live_table_unchanged_with_its_count(db_url):
    with connect(db_url) as conn:
        seed_live(conn)
    found = land_live(db_url)
    assert found["hello_miami"]["profiles"] == 1 and found["podium"]["users"] == 1 and found["podium"]["events"] == 0
    with connect(db_url) as conn:
        assert contents(conn, "raw_live_hello_miami") == contents(conn, "hello_miami")
        assert contents(conn, "raw_live_podium") == contents(conn, "podium")
        recorded = conn.execute("select application, target_table, live_before from migration.live_landed where live_before > 0 order by 1, 2").fetchall()
    assert recorded == [("hello_miami", "profiles", 1), ("podium", "users", 1)]


def test_apply_refuses_to_delete_a_live_row_the_candidates_lack(db_url, dagster_env, capsys):
    # the case: a member signed in (Clerk wrote a profile) before the first cutover
    with connect(db_url) as conn:
        seed_candidates(conn)
        conn.execute("insert into hello_miami.profiles (id, luma_email) values (%s, 'signed-in@example.org')", (uid("app-written"),))
    land_live(db_url)
    before = live_and_candidates(db_url)

    assert cli("apply", "--app", "hello_miami") == 3
    err = capsys.readouterr().err
    assert f"hello_miami.profiles: 1 row(s) (e.g. id {uid('app-written')})" in err
    assert live_and_candidates(db_url) == before  # the profile is still live, nothing was copied
    with connect(db_url) as conn:
        assert conn.execute("select count(*) from migration.cutovers where app = 'hello_miami'").fetchone()[0] == 0


def test_apply_refuses_to_delete_a_live_member_badge_judged_by_its_natural_key(db_url, dagster_env, capsys):
    # member_badges has no id: apply judges it by (member_id, badge_id), as the dry-run's gate does
    badge = uid("badge")
    with connect(db_url) as conn:
        seed_candidates(conn)
        conn.execute("insert into hello_miami.profiles (id, luma_email) values (%s, 'a@example.org')", (uid("dry-1-p0"),))
        for schema in ("hello_miami", "hello_miami_next"):
            conn.execute(f"insert into {schema}.badges (id, name, icon_ascii, criteria) values (%s, 'Shipper', '*', 'shipped')", (badge,))
        conn.execute("insert into hello_miami.member_badges (member_id, badge_id) values (%s, %s)", (uid("dry-1-p0"), badge))
    land_live(db_url)
    before = live_and_candidates(db_url)

    assert cli("apply", "--app", "hello_miami") == 3
    err = capsys.readouterr().err
    assert f"hello_miami.member_badges: 1 row(s) (e.g. member_id/badge_id {uid('dry-1-p0')}/{badge})" in err
    assert "hello_miami.profiles:" not in err and "hello_miami.badges:" not in err  # kept by id: not lost
    assert live_and_candidates(db_url) == before


def test_a_write_between_dry_run_and_apply_is_refused_with_the_count_then_kept_through_apply_and_rollback(db_url, dagster_env, capsys):
    with connect(db_url) as conn:
        seed_live(conn)
        seed_candidates(conn)
    land_live(db_url)  # the dry-run saw one live profile
    with connect(db_url) as conn:  # the application keeps running: a new sign-in, an edited profile
        conn.execute("insert into hello_miami.profiles (id, luma_email) values (%s, 'a@example.org')", (uid("dry-1-p1"),))
        conn.execute("update hello_miami.profiles set bio = 'edited' where id = %s", (uid("dry-1-p0"),))
    written = live_and_candidates(db_url)

    assert cli("apply", "--app", "hello_miami") == 3
    err = capsys.readouterr().err
    assert "hello_miami.profiles: 2 row(s) new or edited, 1 row(s) gone or edited" in err
    assert "podium" not in err.split("(")[1]  # only the table written to is named
    assert live_and_candidates(db_url) == written  # both writes survive

    land_live(db_url)  # the dry-run again: it lands the written rows, and apply goes ahead
    assert cli("apply", "--app", "hello_miami") == 0
    with connect(db_url) as conn:
        assert contents(conn, "hello_miami_prev")["profiles"] == written["hello_miami"]["profiles"]
    assert cli("rollback", "--app", "hello_miami") == 0
    assert live_and_candidates(db_url)["hello_miami"] == written["hello_miami"]  # app-written rows included


def test_the_demo_writes_the_samples_rows_already_live_once(db_url, tmp_path):
    from assets.demo import seed_live
    from tests.sample.generate import generate

    generate(tmp_path, 0.02, 42)
    assert seed_live(str(tmp_path)) == {"hello_miami.events": 2, "hello_miami.profiles": 5}
    with connect(db_url) as conn:
        conn.execute("update hello_miami.profiles set bio = 'edited in the app' where luma_email = 'new.member0@example.org'")
        conn.commit()
    assert seed_live(str(tmp_path)) == {"hello_miami.events": 0, "hello_miami.profiles": 0}  # a re-run leaves them as they are
    with connect(db_url) as conn:
        assert conn.execute("select bio from hello_miami.profiles where luma_email = 'new.member0@example.org'").fetchone() == ("edited in the app",)
        assert conn.execute("select count(*), count(linkedin_url) from hello_miami.profiles").fetchone() == (5, 3)

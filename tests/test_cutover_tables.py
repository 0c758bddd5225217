"""A few tables at a time (`cutover apply --app APP --tables T,…`, SPEC §4 last bullet, §6) and the
copy's own foreign-key check (the fast path under `session_replication_role = replica`, and the
trigger path forced with CUTOVER_REPLICA_COPY=off or taken by a role that may not set it).

Candidates and the dry-run's records are written by hand (tests/test_cutover_apply.py's helpers);
the live landing is the real one a dry-run runs.
"""

from __future__ import annotations

import pytest

from datetime import datetime, timezone

from pipelines import live, targets
from pipelines.database import connect
from tests.spec_catalog import filled
from tests.test_cutover_apply import (  # noqa: F401  (fixtures)
    cli, contents, dagster_db, dagster_env, record_dry_run, seed_candidates, seed_live, uid,
)

HM = "hello_miami"
MOVED = ("badges", "projects", "member_badges")
KEPT = ("profiles", "events")  # the application writes them itself: live already


def seed_hello_miami(conn, extra_profile: bool = False) -> None:
    """Live profiles and an event the application wrote; candidates for every table, the projects and
    badges of MongoDB pointing at the live profiles (as matching keeps their ids); the dry-run."""
    p0, p1, e0, b0 = uid("p0"), uid("p1"), uid("e0"), uid("b0")
    for schema in (HM, f"{HM}_next"):
        conn.execute(f"insert into {schema}.profiles (id, luma_email) values (%s, 'a@example.org'), (%s, 'b@example.org')", (p0, p1))
        conn.execute(f"insert into {schema}.events (id, luma_event_id, name, url, start_at, timezone) "
                     "values (%s, 'evt-1', 'Night', 'https://lu.ma/1', '2026-11-01 18:00', 'UTC')", (e0,))
    conn.execute(f"insert into {HM}_next.badges (id, name, icon_ascii, criteria) values (%s, 'Builder', '*', 'ship')", (b0,))
    conn.execute(f"insert into {HM}_next.projects (id, member_id, title) values (%s, %s, 'Robot'), (%s, %s, 'Garden')",
                 (uid("pr0"), p0, uid("pr1"), p1))
    conn.execute(f"insert into {HM}_next.member_badges (member_id, badge_id) values (%s, %s)", (p0, b0))
    if extra_profile:  # a MongoDB member who never signed in: a candidate, not live
        conn.execute(f"insert into {HM}_next.profiles (id, luma_email) values (%s, 'c@example.org')", (uid("p9"),))
        conn.execute(f"insert into {HM}_next.projects (id, member_id, title) values (%s, %s, 'Kite')", (uid("pr9"), uid("p9")))
    projects = 3 if extra_profile else 2
    profiles = 3 if extra_profile else 2
    record_dry_run(conn, "dry-1", passed=True, finished=datetime.now(timezone.utc), ledger=[
        ("mongo", "profiles", profiles, f"{HM}.profiles", profiles), ("mongo", "projects", projects, f"{HM}.projects", projects),
        ("mongo", "badges", 1, f"{HM}.badges", 1), ("mongo", "member_badges", 1, f"{HM}.member_badges", 1),
        ("luma", "events", 1, f"{HM}.events", 1),
    ])
    live.land(conn, targets.target(HM), "dry-1")


def tables_of(url, schema: str, tables) -> dict:
    with connect(url) as conn:
        found = contents(conn, schema)
    return {t: found.get(t) for t in tables}


@pytest.mark.slow  # eight CLI runs of the Dagster jobs (over 5 s on 2 cores): run by .ci/run's slow step
def test_a_few_tables_move_while_the_application_written_ones_stay_and_rollback_undoes_exactly_those(db_url, dagster_env, capsys):
    with connect(db_url) as conn:
        seed_hello_miami(conn)
    candidates = tables_of(db_url, f"{HM}_next", MOVED)
    app_written = tables_of(db_url, HM, KEPT)

    # member_badges references badges, neither live already nor named: refused, nothing changed
    assert cli("apply", "--app", HM, "--tables", "projects,member_badges") == 3
    err = capsys.readouterr().err
    assert ("hello_miami.member_badges has foreign key member_badges_badge_id_badges_id_fk to hello_miami.badges, "
            "which is neither live already nor named") in err
    assert tables_of(db_url, HM, MOVED) == {"badges": [], "projects": [], "member_badges": []}

    # the plan: badges first, then projects and member_badges (badges is live already by then)
    assert cli("apply", "--app", HM, "--tables", "badges") == 0
    with connect(db_url) as conn:  # the application keeps writing profiles: a sign-in after the dry-run
        conn.execute(f"insert into {HM}.profiles (id, luma_email) values (%s, 'new@example.org')", (uid("p-new"),))
    app_written = tables_of(db_url, HM, KEPT)
    assert cli("apply", "--app", HM, "--tables", "projects,member_badges") == 0
    assert "3 rows in 2 tables: projects, member_badges" in capsys.readouterr().out

    assert tables_of(db_url, HM, MOVED) == candidates
    assert tables_of(db_url, HM, KEPT) == app_written  # the sign-in too: the tables not named keep every row
    with connect(db_url) as conn:
        recorded = conn.execute("select tables from migration.cutovers where app = %s order by cutover_id", (HM,)).fetchall()
        assert recorded == [(["badges"],), (["projects", "member_badges"],)]
        # per table: the second cutover kept the first one's previous rows of badges
        assert sorted(contents(conn, f"{HM}_prev")) == ["badges", "member_badges", "projects"]
        # the candidates stay for the next --tables apply of the same dry-run
        assert contents(conn, f"{HM}_next")["attendance"] == [] and contents(conn, f"{HM}_next")["projects"] == candidates["projects"]
    assert cli("apply", "--app", HM, "--tables", "projects") == 0  # already live from this dry-run: a no-op
    assert "already live" in capsys.readouterr().out

    assert cli("rollback", "--app", HM) == 0
    assert "(0 rows of projects, member_badges)" in capsys.readouterr().out
    assert tables_of(db_url, HM, ("projects", "member_badges")) == {"projects": [], "member_badges": []}
    assert tables_of(db_url, HM, ("badges",)) == {"badges": candidates["badges"]}  # the earlier cutover stays
    assert tables_of(db_url, HM, KEPT) == app_written
    with connect(db_url) as conn:
        assert sorted(contents(conn, f"{HM}_prev")) == ["badges"]
    # the rolled-back tables of this dry-run are not applied again from stale candidates
    assert cli("apply", "--app", HM, "--tables", "projects") == 3
    assert "already cut over by an earlier apply" in capsys.readouterr().err


def test_candidate_rows_whose_live_parent_is_missing_are_refused_before_any_row_moves(db_url, dagster_env, capsys):
    with connect(db_url) as conn:
        seed_hello_miami(conn, extra_profile=True)  # a project by a member not live yet
    before = tables_of(db_url, HM, MOVED + KEPT)
    assert cli("apply", "--app", HM, "--tables", "projects") == 3
    err = capsys.readouterr().err
    assert "hello_miami_next.projects: 1 row(s) break projects_member_id_profiles_id_fk (no such row in hello_miami.profiles)" in err
    assert "name profiles in --tables too" in err  # the parent left out is the fix to name
    assert tables_of(db_url, HM, MOVED + KEPT) == before
    with connect(db_url) as conn:
        assert conn.execute("select count(*) from migration.cutovers").fetchone()[0] == 0


def test_a_named_parent_whose_rows_a_table_not_named_references_is_refused(db_url, dagster_env, capsys):
    with connect(db_url) as conn:
        seed_hello_miami(conn)
    assert cli("apply", "--app", HM, "--tables", "badges,member_badges") == 0
    before = tables_of(db_url, HM, MOVED)
    assert cli("apply", "--app", HM, "--tables", "badges") == 0  # already live: a no-op
    with connect(db_url) as conn:  # a newer dry-run of the same rows
        conn.execute("update migration.runs set job = 'dry_run_old' where run_id = 'dry-1'")
        record_dry_run(conn, "dry-2", passed=True, finished=datetime.now(timezone.utc), ledger=[("mongo", "badges", 1, f"{HM}.badges", 1)])
    assert cli("apply", "--app", HM, "--tables", "badges") == 3
    assert ("hello_miami.member_badges (not named) holds 1 row(s) referencing hello_miami.badges through "
            "member_badges_badge_id_badges_id_fk") in capsys.readouterr().err
    assert tables_of(db_url, HM, MOVED) == before


@pytest.mark.parametrize("args, sentence", [
    (("--tables", "projects"), "--tables needs --app"),
    (("--app", HM, "--tables", "projects,votes"), "hello_miami has no table votes: --tables takes profiles, projects, badges"),
])
def test_wrong_tables_are_one_sentence_and_exit_1(db_url, dagster_env, capsys, args, sentence):
    assert cli("apply", *args) == 1
    err = capsys.readouterr().err
    assert sentence in err and err.count("\n") == 1


# ---------------------------------------------------------------- the copy's foreign-key check, both paths

def plant_a_vote_whose_project_is_missing(conn) -> None:
    """A candidate vote pointing at a project no candidate holds (written past the candidates' own
    foreign keys, as a broken model could not, to show the cutover does not rely on them)."""
    conn.execute("set local session_replication_role = replica")
    conn.execute(filled("insert into podium_next.votes (id, voter_id, project_id, event_id) values (%s, %s, %s, %s)"),
                 (uid("v-bad"), uid("dry-1-u0"), uid("no-such-project"), uid("dry-1-e")))
    conn.execute("set local session_replication_role = origin")


@pytest.mark.parametrize("path", ["replica", "triggers"])
def test_a_planted_foreign_key_violation_refuses_apply_with_the_constraint_on_both_paths(db_url, dagster_env, capsys, monkeypatch, path):
    if path == "triggers":
        monkeypatch.setenv("CUTOVER_REPLICA_COPY", "off")
    with connect(db_url) as conn:
        seed_live(conn)
        seed_candidates(conn)
        plant_a_vote_whose_project_is_missing(conn)
        live_before = contents(conn, "podium")
    assert cli("apply", "--app", "podium") == 3
    err = capsys.readouterr().err
    assert "podium_next.votes: 1 row(s) break votes_project_id_fkey (no such row in podium_next.projects)" in err
    assert "run `cutover dry-run` again" in err and "--tables too" not in err  # every parent moves: nothing to name
    with connect(db_url) as conn:
        assert contents(conn, "podium") == live_before


@pytest.mark.parametrize("path", ["replica", "triggers"])
def test_the_copy_itself_aborts_on_a_broken_foreign_key_naming_it(db_url, monkeypatch, path):
    """Past apply's refusal (rollback copies `<app>_prev` back without it): the copy's own check."""
    from assets.cutover import rows
    from pipelines.errors import CutoverError

    if path == "triggers":
        monkeypatch.setenv("CUTOVER_REPLICA_COPY", "off")
    target = targets.target("podium")
    with connect(db_url) as conn:
        seed_live(conn)
        seed_candidates(conn)
        plant_a_vote_whose_project_is_missing(conn)
        live_before = contents(conn, "podium")
    with pytest.raises(CutoverError, match="votes_project_id_fkey") as raised, connect(db_url) as conn:
        assert rows.replica_permitted(conn) is (path == "replica")
        rows.replace_rows(conn, "podium", "podium_next", rows.copy_order(conn, target))
    if path == "replica":
        assert "podium.votes: 1 row(s) break votes_project_id_fkey (no such row in podium.projects)" in str(raised.value)
    with connect(db_url) as conn:
        assert contents(conn, "podium") == live_before


def test_a_role_that_may_not_set_replication_role_takes_the_trigger_path(db_url):
    from assets.cutover import rows

    with connect(db_url) as conn:
        assert rows.replica_permitted(conn)
        conn.execute("create role cutover_plain nosuperuser")
        conn.execute("set local role cutover_plain")
        assert not rows.replica_permitted(conn)
        conn.rollback()


@pytest.mark.parametrize("path", ["replica", "triggers"])
def test_the_applications_triggers_do_not_fire_on_the_copy_on_both_paths(db_url, dagster_env, monkeypatch, path):
    """An ordinary trigger (silenced by replica, paused on the trigger path) and an ENABLE ALWAYS one
    (paused on both): had either fired, the live rows would differ from the candidates."""
    if path == "triggers":
        monkeypatch.setenv("CUTOVER_REPLICA_COPY", "off")
    with connect(db_url) as conn:
        seed_live(conn)
        seed_candidates(conn)
        conn.execute("""create function podium.stamp() returns trigger language plpgsql as $$
                        begin new.last_name := tg_name; return new; end $$""")
        conn.execute("create trigger a_ordinary before insert or update on podium.users for each row execute function podium.stamp()")
        conn.execute("create trigger b_always before insert or update on podium.users for each row execute function podium.stamp()")
        conn.execute("alter table podium.users enable always trigger b_always")
        candidates = contents(conn, "podium_next")["users"]
    assert cli("apply", "--app", "podium") == 0
    with connect(db_url) as conn:
        assert contents(conn, "podium")["users"] == candidates
        assert conn.execute("select tgname, tgenabled from pg_trigger where tgname in ('a_ordinary', 'b_always') order by 1").fetchall() == [
            ("a_ordinary", "O"), ("b_always", "A")]

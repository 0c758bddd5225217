"""Configuration mistakes end in one line on stderr that names what to fix, exit status 1, no
traceback, and never the password of DATABASE_URL (SPEC §6: "Errors are one clear sentence on
stderr naming what to fix, never a bare traceback")."""

from __future__ import annotations

import re
from urllib.parse import urlsplit, urlunsplit

import pytest

from tests.sample.generate import generate
from tests.test_foundation import cutover

PASSWORD = "Hunter2-xq9-secret"
UNREACHABLE = f"postgresql://nobody:{PASSWORD}@127.0.0.1:1/nothing"
LIVE_SETTINGS = ("AIRTABLE_API_KEY", "AIRTABLE_BASE_ID", "MONGO_URI", "LUMA_API_KEY")
NO_CREDENTIALS = {name: "" for name in LIVE_SETTINGS}
# a Python exception's dotted class path (`dlt.extract.exceptions.ResourceExtractionError`): internals, not a sentence
EXCEPTION_PATH = re.compile(r"\b[a-z_]\w*(?:\.\w+)+\.\w*(?:Error|Exception)\b")


@pytest.fixture(autouse=True)
def _own_dagster_instance(monkeypatch, tmp_path):
    """The subprocesses inherit os.environ: no DAGSTER_PG_URL left by an earlier in-process test,
    and a Dagster home of their own."""
    monkeypatch.delenv("DAGSTER_PG_URL", raising=False)
    monkeypatch.delenv("_CUTOVER_DERIVED_DAGSTER_PG_URL", raising=False)
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "dagster_home"))


@pytest.fixture(scope="module")
def snapshot(tmp_path_factory):
    """A real (tiny) snapshot directory, so that --snapshot itself is not what is wrong."""
    out = tmp_path_factory.mktemp("cfg") / "snap"
    generate(out, 0.01, 3)
    return out


def with_password(url: str, password: str = PASSWORD) -> str:
    """The same URL with a password in it (the embedded server trusts its socket and ignores it)."""
    parts = urlsplit(url)
    host = parts.netloc.rsplit("@", 1)[-1]
    return urlunsplit(parts._replace(netloc=f"{parts.username or 'postgres'}:{password}@{host}"))


def one_line(result) -> str:
    """Exit 1 and exactly one non-empty line on stderr, with no traceback and no password; that line."""
    assert result.returncode == 1, (result.returncode, result.stdout, result.stderr)
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert PASSWORD not in result.stderr and PASSWORD not in result.stdout
    return lines[0]


# --- an unreachable or wrong DATABASE_URL --------------------------------------------------------

PHASE_COMMANDS = [
    ("land", "--snapshot", "{snapshot}"),
    ("dry-run", "--snapshot", "{snapshot}", "--report-dir", "{report}"),
    ("apply",),
    ("rollback",),
    ("sync-luma",),
]


@pytest.mark.parametrize("command", PHASE_COMMANDS, ids=lambda c: c[0])
def test_unreachable_database_url_is_one_sentence_for_every_phase_command(command, snapshot, tmp_path):
    args = [a.format(snapshot=snapshot, report=tmp_path / "report") for a in command]
    result = cutover(*args, env={"DATABASE_URL": UNREACHABLE, "LUMA_API_KEY": "dummy"}, timeout=120)
    line = one_line(result)
    assert line.startswith(f"cutover {command[0]}: "), line
    assert "cannot connect to DATABASE_URL" in line, line
    assert "127.0.0.1" in line  # which server, without its password
    assert not (tmp_path / "report").exists() or not any((tmp_path / "report").iterdir())


@pytest.mark.parametrize("command", PHASE_COMMANDS, ids=lambda c: c[0])
def test_malformed_database_url_names_the_setting_and_masks_its_password(command, snapshot, tmp_path):
    """Issue 15 item 3: one slash after the scheme, which libpq reads as a key=value string and
    quotes back whole in its error."""
    args = [a.format(snapshot=snapshot, report=tmp_path / "report") for a in command]
    malformed = "postgresql:/postgres:hunter2SECRET@localhost:5432/postgres"
    line = one_line(cutover(*args, env={"DATABASE_URL": malformed, "LUMA_API_KEY": "dummy"}, timeout=120))
    assert line.startswith(f"cutover {command[0]}: DATABASE_URL "), line
    assert "hunter2SECRET" not in line and "postgres:***@localhost" in line, line


def test_database_that_does_not_exist_is_one_sentence(admin_url, snapshot):
    from pipelines.database import with_database

    url = with_password(with_database(admin_url, "no_such_database_cfg"))
    line = one_line(cutover("land", "--snapshot", str(snapshot), env={"DATABASE_URL": url}, timeout=120))
    assert "cannot connect to DATABASE_URL" in line and "no_such_database_cfg" in line, line


# --- missing credentials of a live source ---------------------------------------------------------

@pytest.mark.parametrize("command", [("land",), ("dry-run", "--report-dir", "{report}")], ids=lambda c: c[0])
def test_missing_live_credentials_are_one_line_naming_the_setting(command, db_url, tmp_path):
    args = [a.format(report=tmp_path / "report") for a in command]
    env = {**NO_CREDENTIALS, "DATABASE_URL": with_password(db_url)}
    line = one_line(cutover(*args, env=env))
    assert line.startswith(f"cutover {command[0]}: "), line
    # Airtable is landed first; its key is the first thing missing
    assert "AIRTABLE_API_KEY is not set" in line, line
    assert "--snapshot" in line  # the other way out is named too


def test_a_source_missing_from_the_snapshot_needs_its_live_setting(db_url, snapshot, tmp_path):
    """A snapshot without `mongo/`: MongoDB must come from MONGO_URI, and the message names it."""
    import shutil

    partial = tmp_path / "partial"
    for source in ("airtable", "luma"):
        shutil.copytree(snapshot / source, partial / source)
    shutil.copy(snapshot / "manifest.json", partial / "manifest.json")
    env = {**NO_CREDENTIALS, "DATABASE_URL": with_password(db_url)}
    line = one_line(cutover("land", "--snapshot", str(partial), env=env))
    assert "MONGO_URI is not set" in line, line
    assert "AIRTABLE_API_KEY" not in line and "LUMA_API_KEY" not in line  # those come from the snapshot


def test_missing_live_credentials_sentence_carries_no_exception_internals(db_url):
    env = {**NO_CREDENTIALS, "DATABASE_URL": db_url}
    line = one_line(cutover("land", env=env))
    assert "AIRTABLE_API_KEY is not set" in line
    assert not EXCEPTION_PATH.search(line), line
    assert "In processing pipe" not in line and "step land_sources failed" not in line, line


# --- a snapshot directory that does not exist -----------------------------------------------------

@pytest.mark.parametrize("command", ["land", "dry-run"])
def test_missing_snapshot_directory_is_one_line_naming_it(command, tmp_path):
    missing = tmp_path / "no-such-snapshot"
    # even with an unreachable database: the snapshot is checked first, and that is the mistake named
    line = one_line(cutover(command, "--snapshot", str(missing), env={"DATABASE_URL": UNREACHABLE}, timeout=60))
    assert line.startswith(f"cutover {command}: "), line
    assert str(missing) in line and "does not exist" in line, line
    assert "cannot connect" not in line
    assert not missing.exists()


def test_a_snapshot_that_is_a_file_is_named_as_such(tmp_path):
    path = tmp_path / "manifest.json"
    path.write_text("{}")
    line = one_line(cutover("land", "--snapshot", str(path)))
    assert f"snapshot {path} is a file, not a directory" in line


# --- an Airtable endpoint that cannot be reached (issue 15 item 7) ---------------------------------

def free_port() -> int:
    """A port on 127.0.0.1 with nothing listening on it."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# land through its retries and the other sources (~15 s): .ci/run's slow step
@pytest.mark.parametrize("command", [pytest.param("land", marks=pytest.mark.slow), "snapshot"])
def test_unreachable_airtable_endpoint_fails_fast_naming_the_setting(command, db_url, snapshot, tmp_path):
    import shutil
    import time

    partial = tmp_path / "partial"  # Airtable live, the other sources from the snapshot
    for source in ("mongo", "luma"):
        shutil.copytree(snapshot / source, partial / source)
    shutil.copy(snapshot / "manifest.json", partial / "manifest.json")
    env = {"DATABASE_URL": with_password(db_url), "AIRTABLE_API_KEY": "patUnreachable", "AIRTABLE_BASE_ID": "appUnreachable",
           "AIRTABLE_ENDPOINT_URL": f"http://127.0.0.1:{free_port()}"}
    # Podium's own snapshot: a combined one would first stop at the missing MONGO_URI (settings are checked before reading)
    args = ["land", "--snapshot", str(partial)] if command == "land" else ["snapshot", "--app", "podium", "--out", str(tmp_path / "snap")]
    started = time.monotonic()
    line = one_line(cutover(*args, env=env, timeout=180))
    assert time.monotonic() - started < 30
    assert line.startswith(f"cutover {command}: Airtable at AIRTABLE_ENDPOINT_URL http://127.0.0.1:"), line
    assert "cannot be reached" in line and "patUnreachable" not in line, line

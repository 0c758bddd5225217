"""The Dagster UI as people run it (issue 16, "Done when"): the real `dagster-webserver` and
`dagster-daemon` on 127.0.0.1, a Dagster home holding the shipped instance file
(assets/deploy/dagster.yaml, storage in the test's database), the Launchpad's default config. A
`dry_run` launched through GraphQL with `{}` reads the snapshot of CUTOVER_SNAPSHOT_DIR, succeeds,
and carries its checks with severities, row counts on the candidate tables and the link to its
report; a dry-run that fails gets a report naming the failed step and its error (the daemon's
sensor), and the queue never runs two of them at once.

Marked `slow` (two runs through the daemon's queue take minutes on two cores): run by .ci/run."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
DONE = ("SUCCESS", "FAILURE", "CANCELED")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Webserver:
    def __init__(self, port: int):
        self.url = f"http://127.0.0.1:{port}/graphql"

    def query(self, text: str, **variables) -> dict:
        request = urllib.request.Request(self.url, json.dumps({"query": text, "variables": variables}).encode(),
                                         {"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=60) as response:
            body = json.loads(response.read())
        assert "errors" not in body, body
        return body["data"]

    def location(self) -> tuple[str, str]:
        data = self.query("{ repositoriesOrError { ... on RepositoryConnection { nodes { name location { name } } } } }")
        node = data["repositoriesOrError"]["nodes"][0]
        return node["location"]["name"], node["name"]

    def launch(self, job: str, run_config: dict) -> str:
        location, repository = self.location()
        data = self.query(
            """mutation($p: ExecutionParams!) { launchRun(executionParams: $p) {
                 __typename ... on LaunchRunSuccess { run { runId } }
                 ... on PythonError { message } ... on RunConfigValidationInvalid { errors { message } } } }""",
            p={"selector": {"repositoryLocationName": location, "repositoryName": repository, "jobName": job},
               "runConfigData": run_config},
        )["launchRun"]
        assert data["__typename"] == "LaunchRunSuccess", data
        return data["run"]["runId"]

    def status(self, run_id: str) -> str:
        return self.query("query($id: ID!) { runOrError(runId: $id) { ... on Run { status } } }", id=run_id)["runOrError"]["status"]


@pytest.fixture(scope="module")
def ui(admin_url, template_db, tmp_path_factory):
    """The webserver and the daemon on the test's own database, the sample as CUTOVER_SNAPSHOT_DIR."""
    import uuid

    from assets.cli import main
    from assets.runner import INSTANCE_YAML, _psycopg2
    from pipelines.database import engine
    from tests.conftest import _create_database, _drop_database

    name = f"t_{uuid.uuid4().hex[:10]}"
    url = _create_database(admin_url, name, template=template_db)
    out = tmp_path_factory.mktemp("webserver")
    assert main(["sample", "--out", str(out / "snap"), "--scale", "0.02"]) == 0
    home = out / "dagster_home"
    home.mkdir()
    shutil.copy(INSTANCE_YAML, home / "dagster.yaml")
    env = {k: v for k, v in os.environ.items() if not k.startswith("_CUTOVER_")}
    env.update({
        "DATABASE_URL": url, "DAGSTER_HOME": str(home), "DAGSTER_PG_URL": _psycopg2(url),
        "CUTOVER_SNAPSHOT_DIR": str(out / "snap"), "CUTOVER_REPORTS_DIR": str(out / "reports"),
        "CUTOVER_QUARANTINE_CEILING": "0.9",  # a tiny dirty sample quarantines more than the real base
        "AIRTABLE_API_KEY": "", "AIRTABLE_BASE_ID": "", "MONGO_URI": "", "LUMA_API_KEY": "",
    })
    port = _free_port()
    logs = [open(out / f"{what}.log", "w") for what in ("webserver", "daemon")]
    processes = [
        subprocess.Popen([str(BIN / "dagster-webserver"), "-w", "workspace.yaml", "-h", "127.0.0.1", "-p", str(port)],
                         cwd=REPO, env=env, stdout=logs[0], stderr=subprocess.STDOUT),
        subprocess.Popen([str(BIN / "dagster-daemon"), "run", "-w", "workspace.yaml"],
                         cwd=REPO, env=env, stdout=logs[1], stderr=subprocess.STDOUT),
    ]
    server = Webserver(port)
    deadline = time.monotonic() + 180
    while True:
        try:
            server.location()
            break
        except (OSError, KeyError, IndexError):
            assert time.monotonic() < deadline, (out / "webserver.log").read_text()[-3000:]
            assert processes[0].poll() is None, (out / "webserver.log").read_text()[-3000:]
            time.sleep(1)
    import dagster as dg

    with pytest.MonkeyPatch.context() as mp:  # the instance file reads its storage URL from the environment
        mp.setenv("DAGSTER_PG_URL", env["DAGSTER_PG_URL"])
        instance = dg.DagsterInstance.from_config(str(home))
    try:
        yield server, instance, out
    finally:
        for process in processes:  # only the two this fixture started
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
        for log in logs:
            log.close()
        instance.dispose()
        engine(url).dispose()
        _drop_database(admin_url, name)


def _wait(server: Webserver, out: Path, *run_ids: str, seconds: float = 900) -> dict:
    deadline = time.monotonic() + seconds
    statuses = {}
    while time.monotonic() < deadline:
        statuses = {run_id: server.status(run_id) for run_id in run_ids}
        if all(s in DONE for s in statuses.values()):
            return statuses
        time.sleep(2)
    raise AssertionError(f"runs not done in {seconds} s: {statuses}; daemon: {(out / 'daemon.log').read_text()[-3000:]}")


def test_a_launchpad_dry_run_succeeds_with_its_checks_row_counts_and_report_link(ui):
    import dagster as dg

    from pipelines import registry

    server, instance, out = ui
    run_id = server.launch("dry_run", {})  # the Launchpad's default: nothing typed
    assert _wait(server, out, run_id) == {run_id: "SUCCESS"}, (out / "daemon.log").read_text()[-3000:]
    run = instance.get_run_by_id(run_id)
    assert run.tags.get("cutover/exclusive") == "true"

    # the gates as asset checks, each with its severity: blocking ones ERROR, warnings WARN (never failed)
    evaluations = [e.dagster_event.event_specific_data
                   for e in instance.all_logs(run_id, of_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION)]
    assert evaluations
    severities = {e.severity for e in evaluations}
    assert severities == {dg.AssetCheckSeverity.ERROR, dg.AssetCheckSeverity.WARN}, severities
    assert all(e.passed for e in evaluations if e.severity == dg.AssetCheckSeverity.ERROR)
    # for the lead: with 16b's per-rule checks merged, there are many more checks than the six
    # (phase, application) gates; this holds before and after, the per-rule count only after 16b
    assert len({e.check_name for e in evaluations}) >= 6

    # row counts on every candidate table (`dagster/row_count` since 16b, `row_count` before)
    materialized = {
        tuple(e.dagster_event.event_specific_data.materialization.asset_key.path): e.dagster_event.event_specific_data.materialization.metadata
        for e in instance.all_logs(run_id, of_type=dg.DagsterEventType.ASSET_MATERIALIZATION)
    }
    for app, application in registry.APPLICATIONS.items():
        for table in application.tables:
            metadata = next(m for key, m in materialized.items() if key[-1] == table and key[0] == f"{app}_next")
            count = metadata.get("dagster/row_count") or metadata.get("row_count")
            assert count is not None and count.value >= 0, (app, table, metadata)

    # the run links its own report, written in its last step
    report = materialized[("reports", "dry_run")]
    path = Path(report["report"].value)
    assert path == (out / "reports" / run_id / "report.html").resolve() and path.exists()
    assert report["report_url"].value == path.as_uri()
    html = path.read_text()
    assert "Podium: ready to cut over" in html and "Hello Miami: ready to cut over" in html
    assert not instance.get_runs(dg.RunsFilter(job_name="dry_run_report", tags={"cutover/dry_run_id": run_id}))


def test_a_failed_ui_dry_run_gets_a_report_naming_its_cause_and_runs_never_overlap(ui):
    import dagster as dg

    server, instance, out = ui
    empty = out / "empty_snapshot"
    empty.mkdir()
    broken = server.launch("podium_dry_run", {"resources": {"sources": {"config": {"snapshot_dir": str(empty)}}}})
    second = server.launch("dry_run", {})
    assert _wait(server, out, broken, second) == {broken: "FAILURE", second: "SUCCESS"}
    # the queue held one `cutover/exclusive` run until the other ended
    first, then = sorted((instance.get_run_record_by_id(r) for r in (broken, second)), key=lambda r: r.start_time)
    assert first.end_time <= then.start_time, (first, then)

    deadline = time.monotonic() + 240  # the daemon's sensor notices the failure within its interval
    reports = []
    while not reports and time.monotonic() < deadline:
        reports = instance.get_runs(dg.RunsFilter(job_name="dry_run_report", tags={"cutover/dry_run_id": broken}))
        time.sleep(2)
    assert reports, (out / "daemon.log").read_text()[-3000:]
    assert _wait(server, out, reports[0].run_id) == {reports[0].run_id: "SUCCESS"}
    html = (out / "reports" / broken / "report.html").read_text()
    assert "the run stopped with an error: step " in html and f"snapshot {empty} holds no airtable/ part" in html, html[:3000]
    assert "sources captured" not in html

"""One `cutover dry-run` in a child process on a scratch database, with its wall time and peak memory.

Decisions:
- A scratch database `bench_<hex>` on the same server (DATABASE_URL's, else the embedded one), at
  Alembic head; Dagster's run storage goes into that same database (runner.dagster_storage_url does so
  when DATABASE_URL is set) with a fresh DAGSTER_HOME, so the event log holds only the bench's runs.
- The dry-run runs as `python -m assets.cli dry-run` in a child so its memory is measurable: psutil
  polls the RSS of the child's process tree plus the PostgreSQL backends serving the scratch database
  (their command line names it); ru_maxrss of the children is kept as a cross-check.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def scratch_database(keep: bool = False):
    """Yield the URL of a fresh migrated database; drop it afterwards unless `keep`."""
    import migrations
    from pipelines.database import connect, database_url, engine, with_database

    admin = database_url()
    name = f"bench_{uuid.uuid4().hex[:8]}"
    with connect(admin, autocommit=True) as conn:
        conn.execute(f'create database "{name}"')
    url = with_database(admin, name)
    try:
        migrations.upgrade(url)
        yield url
    finally:
        if not keep:
            engine(url).dispose()
            with connect(with_database(admin, "postgres"), autocommit=True) as conn:
                conn.execute(f'drop database if exists "{name}" with (force)')
        else:
            print(f"bench: kept database {name}", file=sys.stderr)


def dagster_env(url: str, dagster_home: Path) -> dict:
    env = dict(os.environ, DATABASE_URL=url, DAGSTER_HOME=str(dagster_home))
    env.pop("DAGSTER_PG_URL", None)
    env.pop("_CUTOVER_DERIVED_DAGSTER_PG_URL", None)
    return env


class _PeakRss(threading.Thread):
    """Polls the memory of a process tree plus the backends of one database; keeps the peaks.

    Two sums: RSS (what each process maps, so pages shared between processes, PostgreSQL's shared
    buffers above all, count once per backend that touched them) and PSS (each shared page split
    between its sharers: the tree's real footprint). The targets are judged on PSS; RSS is kept as
    the upper bound it is.
    """

    def __init__(self, pid: int, dbname: str, every: float = 0.25):
        super().__init__(daemon=True)
        self.pid, self.dbname, self.every = pid, dbname, every
        self.peak = 0
        self.peak_pss = 0
        self.peak_split = {"tree_pss": 0, "backends_pss": 0}  # who held the PSS peak, when it was reached
        self.started = time.perf_counter()
        self.done = threading.Event()

    def _backends(self):
        import psutil

        for proc in psutil.process_iter(["cmdline"]):
            cmd = proc.info.get("cmdline") or []
            if cmd and cmd[0].startswith("postgres:") and f" {self.dbname} " in f" {cmd[0]} ":
                yield proc

    def run(self) -> None:
        import psutil

        try:
            root = psutil.Process(self.pid)
        except psutil.NoSuchProcess:
            return
        while not self.done.is_set():
            rss = 0
            pss = {"tree_pss": 0, "backends_pss": 0}
            try:
                tree = [root, *root.children(recursive=True)]
                for part, procs in (("tree_pss", tree), ("backends_pss", list(self._backends()))):
                    for proc in procs:
                        try:
                            info = proc.memory_full_info()
                            rss += info.rss
                            pss[part] += getattr(info, "pss", info.rss)
                        except psutil.Error:
                            pass
            except psutil.Error:
                break
            self.peak = max(self.peak, rss)
            if sum(pss.values()) > self.peak_pss:
                self.peak_pss, self.peak_split = sum(pss.values()), pss
                self.peak_split["at_s"] = round(time.perf_counter() - self.started, 1)  # after the process started
            self.done.wait(self.every)


def run_dry_run(snapshot: Path, url: str, dagster_home: Path, report_dir: Path) -> dict:
    """Run the dry-run; {'exit_code', 'started_at' (epoch s), 'wall_s', 'peak_rss_bytes', 'peak_pss_bytes',
    'child_maxrss_bytes', 'peak_pss_split_bytes' (the dry-run's process tree and the backends at the PSS peak)}."""
    dbname = url.rsplit("/", 1)[-1].split("?", 1)[0]
    env = dagster_env(url, dagster_home)
    cmd = [sys.executable, "-m", "assets.cli", "dry-run", "--snapshot", str(snapshot), "--report-dir", str(report_dir)]
    started_at = time.time()
    t0 = time.perf_counter()
    child = subprocess.Popen(cmd, env=env)
    try:
        import psutil  # noqa: F401

        poller = _PeakRss(child.pid, dbname)
        poller.start()
    except ImportError:
        poller = None
    try:
        code = child.wait()
    finally:  # an interrupted bench leaves no dry-run behind
        if child.poll() is None:
            child.kill()
        if poller:
            poller.done.set()
            poller.join()
    wall = time.perf_counter() - t0
    maxrss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024  # KiB on Linux
    return {"exit_code": code, "started_at": started_at, "wall_s": round(wall, 3),
            "peak_rss_bytes": poller.peak if poller else maxrss,
            "peak_pss_bytes": poller.peak_pss if poller else maxrss, "child_maxrss_bytes": maxrss,
            "peak_pss_split_bytes": poller.peak_split if poller else None}


def fresh_dagster_home(work_dir: Path) -> Path:
    from assets.runner import INSTANCE_YAML

    home = Path(tempfile.mkdtemp(prefix="dagster-", dir=work_dir))
    (home / "dagster.yaml").write_text(INSTANCE_YAML.read_text())
    return home

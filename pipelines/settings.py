"""Settings from the environment (SPEC §6). Secrets are read here and never logged."""

from __future__ import annotations

import os
from pathlib import Path

from pipelines.errors import CutoverError

REPO_ROOT = Path(__file__).resolve().parent.parent


def home() -> Path:
    """Where the project keeps local state (embedded PostgreSQL, Dagster home): `.local/` of the repo."""
    return Path(os.environ.get("CUTOVER_HOME", REPO_ROOT / ".local")).resolve()


def require(name: str, purpose: str) -> str:
    """The value of environment variable `name`, or an error sentence that names it."""
    value = os.environ.get(name, "").strip()
    if not value:
        raise CutoverError(f"{name} is not set: it is needed for {purpose} (or pass --snapshot DIR).")
    return value


def optional(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name, "").strip()
    return value or default


def ensure_runtime_dir() -> None:
    """Give platformdirs (used by Dagster and dlt) a private runtime dir where the machine has none,
    instead of a warning on every command."""
    if not os.environ.get("XDG_RUNTIME_DIR"):
        runtime = Path("/tmp") / f"cutover-runtime-{os.getuid()}"
        runtime.mkdir(mode=0o700, exist_ok=True)
        os.environ["XDG_RUNTIME_DIR"] = str(runtime)

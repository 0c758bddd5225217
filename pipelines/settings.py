"""Settings from the environment (SPEC §6). Secrets are read here and never logged."""

from __future__ import annotations

import os
from pathlib import Path

from pipelines import registry
from pipelines.errors import CutoverError

REPO_ROOT = Path(__file__).resolve().parent.parent


def home() -> Path:
    """Where the project keeps local state (embedded PostgreSQL, Dagster home): `.local/` of the repo."""
    return Path(os.environ.get("CUTOVER_HOME", REPO_ROOT / ".local")).resolve()


class MissingSetting(CutoverError):
    """A source's setting that is not set (issue 18). The sentence names the setting and what needs
    it, and offers the ways out that fit where it was raised: the command's snapshot (`--snapshot
    DIR`, or naming the snapshot that lacks this source's part) and, when the command covers more
    than this source's application, `--app <other>` to run the other one alone. The raiser knows
    only the source; the land step and the snapshot capture know the rest and call `within`."""

    def __init__(self, name: str, source: str, need: str, covering: tuple[str, ...] = (),
                 snapshot_dir: str | None = None, capturing: bool = False):
        self.setting, self.source, self.need = name, source, need
        self.covering, self.snapshot_dir, self.capturing = tuple(covering), snapshot_dir, capturing
        super().__init__(self._sentence())

    @property
    def application(self) -> str:
        return registry.application_of(self.source)

    def within(self, covering=None, snapshot_dir: str | None = None, capturing: bool | None = None) -> "MissingSetting":
        """The same missing setting, said for a command covering `covering` applications, reading
        `snapshot_dir` (which lacks this source's part), or capturing a snapshot."""
        return MissingSetting(self.setting, self.source, self.need,
                              tuple(covering) if covering is not None else self.covering,
                              snapshot_dir or self.snapshot_dir, self.capturing if capturing is None else capturing)

    def _sentence(self) -> str:
        others = [app for app in registry.APPLICATIONS if app in self.covering and app != self.application]
        alone = [f"--app {app} to {'capture' if self.capturing else 'run'} {registry.title(app)} alone" for app in others]
        if self.snapshot_dir:
            ways = [f"capture it with `cutover snapshot --app {self.application}`", f"set {self.setting}",
                    *(f"pass {way}" for way in alone)]
            return (f"snapshot {self.snapshot_dir} holds no {self.source}/ part and {self.setting} is not set: "
                    f"it is needed to {self.need} ({_either(ways)}).")
        # the snapshot way said for each place a run starts: the CLI, the Dagster Launchpad, the environment
        ways = [f"pass {_either(alone)}"] if alone else []
        if not self.capturing:
            ways.insert(0, SNAPSHOT_WAYS)
        ways_out = f" (or {'; or '.join(ways)})" if ways else ""
        return f"{self.setting} is not set: it is needed to {self.need}{ways_out}."


SNAPSHOT_WAYS = ("read a snapshot: `--snapshot DIR` on the command line, the `sources` resource's `snapshot_dir` "
                 "in the Dagster Launchpad, or CUTOVER_SNAPSHOT_DIR")


def _either(ways: list[str]) -> str:
    return ways[0] if len(ways) == 1 else ", ".join(ways[:-1]) + ", or " + ways[-1]


def require(name: str, source: str, need: str) -> str:
    """The value of environment variable `name`, or MissingSetting naming it (`need`: what for)."""
    value = os.environ.get(name, "").strip()
    if not value:
        raise MissingSetting(name, source, need)
    return value


def optional(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name, "").strip()
    return value or default


def whole_number(name: str, default: int, of_what: str) -> int:
    """Setting `name` as a count of at least 1 (`default` when unset); anything else is one sentence."""
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        return max(1, int(value))
    except ValueError:
        raise CutoverError(f"{name}={value!r} is not a whole number of {of_what}.") from None


def ensure_runtime_dir() -> None:
    """Give platformdirs (used by Dagster and dlt) a private runtime dir where the machine has none,
    instead of a warning on every command."""
    if not os.environ.get("XDG_RUNTIME_DIR"):
        runtime = Path("/tmp") / f"cutover-runtime-{os.getuid()}"
        runtime.mkdir(mode=0o700, exist_ok=True)
        os.environ["XDG_RUNTIME_DIR"] = str(runtime)

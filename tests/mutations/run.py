"""Mutation check of the rules and gates (issue 19): every one-line mutation listed in
`mutations.toml` must make at least one of its rule or gate tests fail. A mutation that survives
means its rule has no sharp test, and the check fails naming that rule.

    python tests/mutations/run.py [--jobs N] [--only NAME ...] [--list] [--keep]

Decisions:
- Hand-written mutations, not mutmut: the rules are SQL (the models' .sql files and the gates'
  query strings in Python), which mutmut's operators do not reach, and each entry names the rule
  it breaks, so a survivor reads as a sentence about the SPEC.
- Mutations are applied to scratch copies of the repository (one per job, under the temp dir),
  never to the working tree: an interrupted check cannot leave a mutated rule behind. Each copy
  holds the sources only (no .venv, .local, .git); the copy comes first on PYTHONPATH, so its
  modules and the SQL files beside them are the ones the tests load (checked before any run).
- The tests reuse the repository's embedded PostgreSQL cluster (CUTOVER_HOME = the repository's
  .local/) or DATABASE_URL, as `make test` does; every pytest session makes its own databases.
- One pytest session per mutation, `-x`, only the tests the entry names; a baseline run of all
  the named tests on the unmutated copy runs alongside, so a test that fails anyway cannot pass
  for a kill. Bytecode is not written, so a mutated module is never read from a stale .pyc.
- Each job is a small fork server (`--serve`) started in its copy: it imports the heavy libraries
  once (Great Expectations, Dagster: ~6 s a process on this machine) and forks a fresh child per
  session, which imports the project's own modules from the (mutated) copy and runs pytest.
- pytest exit status 1 (a test failed) is a kill; 0 is a survivor; anything else (a usage error,
  no test collected) fails the check as broken, naming the entry.
- The runner is not a test module (`run.py`), so the suite's own collection never picks it up.
"""

from __future__ import annotations

import argparse
import os
import queue
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import tomllib
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LIST = Path(__file__).with_name("mutations.toml")
NOT_COPIED = shutil.ignore_patterns(".venv", ".local", ".git", "reports", "__pycache__", "*.pyc", ".pytest_cache", ".dlt")
# `-m ""`: an entry names its tests, slow ones included (make test leaves those to .ci/run's slow step)
PYTEST = ["-q", "-x", "-p", "no:cacheprovider", "--timeout", "300", "-m", ""]


@dataclass(frozen=True)
class Mutation:
    name: str
    rule: str
    file: str
    original: str
    replacement: str
    tests: tuple[str, ...]


def load(path: Path = LIST, root: Path = ROOT) -> list[Mutation]:
    """The listed mutations, each checked against the tree; every problem is reported by entry name."""
    entries = tomllib.loads(path.read_text()).get("mutation", [])
    mutations, problems, seen = [], [], set()
    for number, entry in enumerate(entries, start=1):
        name = entry.get("name") or f"#{number}"
        where = f"{path.name}, mutation {name!r}"
        missing = [k for k in ("name", "rule", "file", "original", "tests") if not entry.get(k)]
        if missing or "replacement" not in entry:
            problems.append(f"{where}: needs {', '.join(missing + (['replacement'] if 'replacement' not in entry else []))}")
            continue
        if name in seen:
            problems.append(f"{where}: the name is used twice")
        seen.add(name)
        target = root / entry["file"]
        if not target.is_file():
            problems.append(f"{where}: {entry['file']} does not exist (moved?): point the entry at the rule's new file")
            continue
        found = target.read_text().count(entry["original"])
        if found != 1:
            problems.append(f"{where}: its original text occurs {found} times in {entry['file']}, not once"
                            " (rule rewritten or moved?): update the entry")
        if entry["replacement"] == entry["original"]:
            problems.append(f"{where}: the replacement equals the original")
        for test in entry["tests"]:
            if not (root / test.split("::", 1)[0]).is_file():
                problems.append(f"{where}: test file {test.split('::', 1)[0]} does not exist")
        mutations.append(Mutation(name, entry["rule"], entry["file"], entry["original"], entry["replacement"], tuple(entry["tests"])))
    if problems:
        raise SystemExit("mutation list is out of date:\n  " + "\n  ".join(problems))
    return mutations


def scratch_copy(parent: Path, index: int) -> Path:
    copy = parent / f"repo{index}"
    shutil.copytree(ROOT, copy, ignore=NOT_COPIED, symlinks=True)
    return copy


def environment(copy: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(copy)] + ([env["PYTHONPATH"]] if env.get("PYTHONPATH") else []))
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env.setdefault("CUTOVER_HOME", str(ROOT / ".local"))  # the repository's embedded cluster, not a new one per copy
    return env


def check_copy_is_loaded(copy: Path) -> None:
    """The tests must import the copy's modules (and so read its SQL), not the working tree's."""
    probe = "import expectations, sql_models, assets, pipelines, migrations; print('\\n'.join(m.__file__ for m in (expectations, sql_models, assets, pipelines, migrations)))"
    out = subprocess.run([sys.executable, "-c", probe], cwd=copy, env=environment(copy), capture_output=True, text=True, check=True).stdout
    strays = [line for line in out.split() if not Path(line).resolve().is_relative_to(copy.resolve())]
    if strays:
        raise SystemExit(f"the scratch copy is not what Python imports ({', '.join(strays)}): check PYTHONPATH and the editable install")


# third-party packages every session imports anyway; never the project's own (those come from the copy)
PRELOAD = ("pytest", "sqlalchemy", "psycopg", "dagster", "great_expectations")


def serve() -> int:
    """The fork server of one job: a JSON request per line on stdin (pytest arguments, log file),
    the session's exit status per line on stdout."""
    import importlib
    import json

    for name in PRELOAD:
        importlib.import_module(name)
    print("ready", flush=True)
    for line in sys.stdin:
        request = json.loads(line)
        pid = os.fork()
        if pid == 0:
            code = 3
            try:
                os.dup2(os.open(os.devnull, os.O_RDONLY), 0)
                log = os.open(request["log"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
                os.dup2(log, 1)
                os.dup2(log, 2)
                import pytest

                code = int(pytest.main(request["args"]))
            finally:
                sys.stdout.flush()
                sys.stderr.flush()
                os._exit(code)
        _pid, status = os.waitpid(pid, 0)
        print(os.waitstatus_to_exitcode(status), flush=True)
    return 0


class Job:
    """One scratch copy and its fork server."""

    def __init__(self, copy: Path):
        import json

        self.copy, self._json = copy, json
        self.server = subprocess.Popen([sys.executable, str(copy / "tests" / "mutations" / "run.py"), "--serve"], cwd=copy,
                                       env=environment(copy), stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        if self.server.stdout.readline().strip() != "ready":
            raise SystemExit(f"the mutation job in {copy} did not start (see its error above)")
        self.runs = 0

    def pytest(self, tests: list[str]) -> tuple[int, str, float]:
        self.runs += 1
        log = self.copy.parent / f"{self.copy.name}-{self.runs}.log"
        start = time.monotonic()
        self.server.stdin.write(self._json.dumps({"args": [*PYTEST, *tests], "log": str(log)}) + "\n")
        self.server.stdin.flush()
        code = int(self.server.stdout.readline())
        return code, log.read_text(), time.monotonic() - start

    def mutate(self, mutation: Mutation) -> tuple[str, str, float]:
        """('killed' | 'survived' | 'broken', pytest's output, seconds); the copy's file is restored after."""
        target = self.copy / mutation.file
        original = target.read_text()
        target.write_text(original.replace(mutation.original, mutation.replacement, 1))
        try:
            code, output, seconds = self.pytest(list(mutation.tests))
        finally:
            target.write_text(original)
        return {0: "survived", 1: "killed"}.get(code, "broken"), output, seconds

    def close(self) -> None:
        self.server.stdin.close()
        self.server.wait()


def tail(output: str, lines: int = 25) -> str:
    return "\n".join("      " + line for line in output.strip().splitlines()[-lines:])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--jobs", type=int, default=2, help="mutations run at once, one scratch copy each (default 2)")
    parser.add_argument("--only", action="append", default=[], metavar="NAME", help="run only these mutations")
    parser.add_argument("--list", action="store_true", help="check and print the list, run nothing")
    parser.add_argument("--keep", action="store_true", help="keep the scratch copies")
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)  # a job's fork server
    args = parser.parse_args(argv)
    if args.serve:
        return serve()

    mutations = load()
    if args.only:
        unknown = set(args.only) - {m.name for m in mutations}
        if unknown:
            raise SystemExit(f"no mutation named {', '.join(sorted(unknown))} in {LIST.name}")
        mutations = [m for m in mutations if m.name in args.only]
    if args.list:
        for m in mutations:
            print(f"{m.name:40} {m.file}  ({m.rule})")
        return 0

    started = time.monotonic()
    parent = Path(tempfile.mkdtemp(prefix="cutover-mutations-"))
    try:
        copies = [scratch_copy(parent, i) for i in range(max(1, args.jobs))]
        check_copy_is_loaded(copies[0])
        jobs = [Job(copy) for copy in copies]
        # the baseline is one more job on the queue: every named test must pass unmutated
        baseline = sorted({t for m in mutations for t in m.tests})
        work: queue.Queue = queue.Queue()
        work.put(None)
        for m in mutations:
            work.put(m)
        results: list[tuple[Mutation | None, str, str, float]] = []
        lock = threading.Lock()

        def worker(job: Job) -> None:
            while True:
                try:
                    item = work.get_nowait()
                except queue.Empty:
                    return
                try:
                    if item is None:
                        code, output, seconds = job.pytest(baseline)
                        status = "passed" if code == 0 else "broken"
                    else:
                        status, output, seconds = job.mutate(item)
                except Exception as error:  # a job whose server died: its mutations count as broken
                    status, output, seconds = "broken", f"the job failed: {error!r}", 0.0
                with lock:
                    results.append((item, status, output, seconds))
                    label = "baseline (all named tests, unmutated)" if item is None else item.name
                    print(f"{status:9} {seconds:6.1f}s  {label}", flush=True)

        threads = [threading.Thread(target=worker, args=(job,)) for job in jobs]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        for job in jobs:
            job.close()
    finally:
        if args.keep:
            print(f"scratch copies kept in {parent}")
        else:
            shutil.rmtree(parent, ignore_errors=True)

    failed = False
    for item, status, output, _seconds in results:
        if item is None and status != "passed":
            failed = True
            print(f"\nBASELINE FAILED: the named tests fail without any mutation, so no kill can be trusted:\n{tail(output)}")
        elif item is not None and status == "survived":
            failed = True
            print(f"\nSURVIVED {item.name}: the rule \"{item.rule}\" has no test that fails when it breaks\n"
                  f"    {item.file}: {item.original!r} -> {item.replacement!r}\n    ran: {' '.join(item.tests)}")
        elif item is not None and status == "broken":
            failed = True
            print(f"\nBROKEN {item.name} (rule \"{item.rule}\"): pytest did not run the tests:\n{tail(output)}")
    if len(results) != len(mutations) + 1:
        failed = True
        print(f"\nonly {len(results)} of {len(mutations) + 1} sessions ran")
    killed = sum(1 for item, status, *_ in results if item is not None and status == "killed")
    print(f"\n{killed} of {len(mutations)} mutations killed in {time.monotonic() - started:.0f}s ({max(1, args.jobs)} jobs)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

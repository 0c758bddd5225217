"""`cutover`: the command line of SPEC §6. Every phase command runs a Dagster job in process.

Each subcommand lives in `assets/<phase>/commands.py` as `run(args) -> int`; a phase not built
yet says so and exits 1. Errors are one sentence on stderr: CutoverError → 1, GateFailed → 3.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys

from pipelines import registry

COMMANDS = {
    # name: (module implementing `run(args)`, help)
    "sample": ("tests.sample.command", "write a realistic, dirty sample snapshot (SPEC §2.4)"),
    "snapshot": ("assets.land.snapshot_command", "capture the live sources as a snapshot"),
    "land": ("assets.land.commands", "the land phase and its gate"),
    "dry-run": ("assets.gates.commands", "land, transform, reconcile, gates and report; builds *_next"),
    "apply": ("assets.cutover.apply_command", "cut over to the latest passing dry-run"),
    "rollback": ("assets.cutover.rollback_command", "return to the state before the latest cutover"),
    "sync-luma": ("assets.sync.commands", "one incremental Luma sync of Hello Miami's events and attendance"),
    "demo": ("assets.demo", "sample + dry-run on the embedded PostgreSQL"),
    "migrate": ("assets.migrate_command", "apply the Alembic migrations (upgrade head, or --downgrade REV)"),
}


def add_app_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--app", choices=list(registry.APPLICATIONS),
                        help="only this application: its sources, settings and database (default: every application)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="cutover", description=__doc__.splitlines()[0])
    parser.add_argument("-v", "--verbose", action="store_true", help="show Dagster's own log")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    p = sub.add_parser("sample", help=COMMANDS["sample"][1])
    p.add_argument("--out", required=True, help="directory to write the snapshot into")
    p.add_argument("--scale", type=float, default=1.0, help="1 = the real base's size (default)")
    p.add_argument("--seed", type=int, default=42)
    p = sub.add_parser("snapshot", help=COMMANDS["snapshot"][1])
    p.add_argument("--out", required=True)
    add_app_option(p)
    p = sub.add_parser("land", help=COMMANDS["land"][1])
    p.add_argument("--snapshot", help="read the sources present in this snapshot directory from it")
    add_app_option(p)
    p = sub.add_parser("dry-run", help=COMMANDS["dry-run"][1])
    p.add_argument("--snapshot")
    p.add_argument("--report-dir", help="default reports/<run id>/")
    add_app_option(p)
    p = sub.add_parser("apply", help=COMMANDS["apply"][1])
    add_app_option(p)
    p.add_argument("--tables", metavar="T,…", help="only these tables of --app (the others stay as they are)")
    p.add_argument("--report-dir", help="default reports/<run id>/")
    p = sub.add_parser("rollback", help=COMMANDS["rollback"][1])
    add_app_option(p)
    p.add_argument("--force", action="store_true", help="roll back even if live rows written since the cutover are lost")
    p.add_argument("--report-dir", help="default reports/<run id>/")
    p = sub.add_parser("sync-luma", help=COMMANDS["sync-luma"][1])
    p.add_argument("--app", choices=["hello_miami"], default="hello_miami",
                   help="the sync is Hello Miami's alone (accepted for scripts passing --app)")
    p = sub.add_parser("demo", help=COMMANDS["demo"][1])
    p.add_argument("--out", default=None, help="where the sample goes (default .local/sample)")
    p.add_argument("--scale", type=float, default=1.0)
    p = sub.add_parser("migrate", help=COMMANDS["migrate"][1])
    p.add_argument("--downgrade", metavar="REV", help="downgrade to REV (e.g. base) instead")
    return parser


def check_snapshot_dir(path: str | None) -> None:
    from pipelines.errors import CutoverError

    if path and os.path.exists(path) and not os.path.isdir(path):
        raise CutoverError(f"snapshot {path} is a file, not a directory: pass --snapshot with a directory written by `cutover sample` or `cutover snapshot`.")
    if path and not os.path.isdir(path):
        raise CutoverError(f"snapshot directory {path} does not exist: pass --snapshot with a directory written by `cutover sample` or `cutover snapshot`.")


# phase commands read and write the project's own schemas; they bring the database to the latest
# migration first (a no-op when it is there), so a fresh DATABASE_URL needs no separate step
MIGRATED_FIRST = {"land", "dry-run", "apply", "rollback", "sync-luma"}


def ensure_migrated(app: str | None = None) -> None:
    """Every database of `app` (default: every application), once per distinct database."""
    import migrations
    from pipelines.database import check_server
    from pipelines.targets import by_database

    for url, apps in by_database([app] if app else None).items():
        check_server(url)  # an unreachable or too old server is one sentence, before Alembic's traceback
        migrations.upgrade(url, apps=apps)  # only the applications living there get their tables


def main(argv: list[str] | None = None) -> int:
    from pipelines.settings import ensure_runtime_dir

    ensure_runtime_dir()
    args = build_parser().parse_args(argv)
    from pipelines.errors import CutoverError, GateFailed
    from pipelines.masking import mask_error, show_library_logs

    show_library_logs(args.verbose)  # dlt's log lines and tracebacks only with -v (masked even then)

    module_name = COMMANDS[args.command][0]
    try:
        check_snapshot_dir(getattr(args, "snapshot", None))
        if args.command in MIGRATED_FIRST:
            ensure_migrated(getattr(args, "app", None))
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name and module_name.startswith(exc.name):
                raise CutoverError(f"`cutover {args.command}` is not available yet: its phase has not been built in this version.") from exc
            raise
        return int(module.run(args) or 0)
    except GateFailed as exc:
        print(f"cutover {args.command}: {exc}", file=sys.stderr)
        return 3
    except CutoverError as exc:
        print(f"cutover {args.command}: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"cutover {args.command}: interrupted.", file=sys.stderr)
        return 1
    except Exception as exc:  # the last line of defence: a sentence, not a traceback
        if args.verbose:
            raise
        print(f"cutover {args.command}: unexpected error {type(exc).__name__}: {mask_error(exc)} (rerun with -v for the traceback).", file=sys.stderr)
        return 1


def command() -> int:
    """The `cutover` command: one command in a process that then exits, so what lives as long as the
    process is frozen out of the garbage collector's walks (issue 17). `main` alone, as the tests
    call it in process, freezes nothing."""
    from pipelines.long_lived import freeze_long_lived

    freeze_long_lived()
    return main()


if __name__ == "__main__":
    sys.exit(command())

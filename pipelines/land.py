"""The land phase outside Dagster's wrapping: one dlt pipeline per source into raw_<source>.

Decisions (documented here because every phase relies on them):
- Destination: postgres through `pipelines.database.dlt_credentials()`, loader_file_format "csv"
  (dlt COPYs the files), no indexes or constraints on raw tables (the land gate checks key
  uniqueness and reports it; a constraint would abort the load instead of explaining).
- A source lands all its tables or none. Airtable and MongoDB are reloaded whole (their modules'
  WRITE_DISPOSITION = "replace"): dlt lands them into `raw_<source>_landing` (truncate-and-insert,
  its own bookkeeping tables there too), and only once dlt has loaded every table of the source
  does `commit_landing` move them all into `raw_<source>` in ONE transaction (land_swap.sql). dlt's
  own `staging-optimized` replace was not enough: it swaps each table in its own transaction as
  soon as that table's files are loaded, so a load failing on the last table (the Airtable fast
  path's COPY rejecting a malformed line) left the earlier tables replaced and the rest old. A run
  killed or failing anywhere before that transaction (a 500 mid-listing, a malformed snapshot
  line, a SIGKILL) leaves the previous landing untouched, and a rerun reloads everything, so raw
  never holds duplicates. Luma uses merge on its keys (the sync reuses it); its records are parsed
  in Python while dlt extracts, so a malformed line stops it before anything is loaded.
- dlt keeps local state in `pipelines_dir`: `.local/dlt/<database hash>/` (CUTOVER_DLT_DIR
  overrides the root), one folder per target database, so tests on different databases never
  share pending packages. Before each run the pipeline's local state is dropped (as dagster-dlt
  does) so a killed run's half-built package is never replayed.
- Landed count = rows carrying this run's dlt load ids, so a merge table that also holds older rows
  is judged on what this run delivered; entries of a key listed again in the same landing, which a
  source keeps in `raw_<source>.duplicates` (Luma), count as landed for their table.
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import os
import time
from pathlib import Path

from pipelines import settings
from pipelines.errors import CutoverError
from pipelines.masking import MaskedError, MaskingFilter, mask_error
from pipelines import registry

SOURCES = tuple(registry.SOURCES)


def available(source: str) -> bool:
    """Whether the source's dlt module is part of this build."""
    try:
        return importlib.util.find_spec(f"pipelines.{source}.source") is not None
    except ModuleNotFoundError:
        return False


def module(source: str):
    return importlib.import_module(f"pipelines.{source}.source")


def build_source(source: str, snapshot_dir: str | None, safe: bool = False):
    """The dlt source object of `source`: from `snapshot_dir` when it holds a `<source>/` folder,
    else live (SPEC §2.4: a snapshot provides the sources present in it, the others are read live)."""
    factory = getattr(module(source), f"{source}_source")
    snapshot = snapshot_dir if _has(source, snapshot_dir) else None
    if source == "airtable":
        return factory(snapshot_dir=snapshot, safe=safe)
    return factory(snapshot_dir=snapshot)


def run_with_fallback(source: str, snapshot_dir: str | None, attempt, pipeline, url: str | None = None):
    """attempt(dlt_source) runs one landing through `pipeline`. Airtable snapshots first go the fast
    path (lines sliced, PostgreSQL validates the JSON at COPY, see pipelines/airtable/fast_lines.py);
    when that load fails, raw has not been touched, and the landing reruns on the safe path, which
    names the malformed line. A landing that succeeded is committed to raw (`commit_landing`).
    Errors come out as the CutoverError inside dlt's wrapping where there is one."""
    from pipelines import markers

    try:
        markers.before_landing(source, live=not _has(source, snapshot_dir))
        result = _attempt_with_fallback(source, snapshot_dir, attempt)
        commit_landing(source, pipeline, url)
        return result
    except Exception as exc:
        markers.abandon(source)  # a landing that failed leaves no webhook in the base
        raise landing_error(source, exc, snapshot_dir) from MaskedError.of(exc)
    finally:
        after_landing = getattr(module(source), "after_landing", None)
        if after_landing is not None:  # a source's own cleanup (MongoDB: its conversion workers)
            after_landing()


def _attempt_with_fallback(source: str, snapshot_dir: str | None, attempt):
    fallback = source == "airtable" and _has(source, snapshot_dir)
    try:
        return attempt(build_source(source, snapshot_dir))
    except Exception as exc:
        cause = unwrap(exc)
        if cause is exc and not fallback:
            raise
        if isinstance(cause, CutoverError) or not fallback:
            raise cause from exc
    try:
        return attempt(build_source(source, snapshot_dir, safe=True))
    except Exception as exc:
        cause = unwrap(exc)
        if cause is exc:
            raise
        raise cause from exc


def landing_error(source: str, exc: BaseException, snapshot_dir: str | None = None) -> CutoverError:
    """The one sentence a failed landing ends with: the CutoverError inside dlt's wrapping where
    there is one (it names the file and line), else the innermost error's first line, masked. The
    caller chains it to the masked traceback only (MaskedError): dlt's and PostgreSQL's messages
    quote raw records, which must reach neither the terminal nor Dagster's event log. A setting
    missing although a snapshot was given means the snapshot lacks this source: it is named."""
    cause = unwrap(exc)
    if isinstance(cause, settings.MissingSetting) and snapshot_dir:
        return cause.within(snapshot_dir=snapshot_dir)
    if isinstance(cause, CutoverError):
        return cause
    innermost = exc
    while (innermost.__cause__ or innermost.__context__) is not None:
        innermost = innermost.__cause__ or innermost.__context__
    first = (str(innermost).strip().splitlines() or [""])[0]
    return CutoverError(f"landing {source} failed: {type(innermost).__name__}: {mask_error(first)}".rstrip(": ") + ".")


def replaced(source: str) -> bool:
    """Whether `source` is reloaded whole each run (else merged)."""
    return getattr(module(source), "WRITE_DISPOSITION", "merge") == "replace"


def dataset(source: str) -> str:
    """The schema dlt loads `source` into: the landing schema for a source reloaded whole."""
    return f"raw_{source}_landing" if replaced(source) else f"raw_{source}"


def commit_landing(source: str, pipeline, url: str | None = None) -> None:
    """Move every table dlt loaded in the pipeline's last load from the landing schema into
    raw_<source>, in one transaction (a no-op for merged sources, which dlt loads into raw)."""
    if not replaced(source):
        return
    from psycopg import sql

    from pipelines.database import connect

    info = pipeline.last_trace.last_load_info
    tables = sorted({job.job_file_info.table_name for package in info.load_packages
                     for job in package.jobs.get("completed_jobs", []) if not job.job_file_info.table_name.startswith("_dlt")})
    template = (Path(__file__).with_name("land_swap.sql")).read_text()
    raw, landing = sql.Identifier(f"raw_{source}"), sql.Identifier(dataset(source))
    with connect(url) as conn, conn.transaction():
        conn.execute(sql.SQL("create schema if not exists {}").format(raw))
        for table in tables:
            conn.execute(sql.SQL(template).format(raw=raw, landing=landing, table=sql.Identifier(table)))


def pipelines_dir(url: str | None = None) -> str:
    from pipelines.database import database_url

    root = Path(os.environ.get("CUTOVER_DLT_DIR") or settings.home() / "dlt")
    digest = hashlib.sha1((url or database_url()).encode()).hexdigest()[:12]
    path = root / digest
    path.mkdir(parents=True, exist_ok=True)
    return str(path)


def make_pipeline(source: str, url: str | None = None):
    import dlt
    from pipelines.database import database_url, dlt_credentials

    url = url or database_url()
    _quiet_dlt()
    # Arrow items get dlt's bookkeeping columns only on request. _dlt_load_id: yes (the landed count
    # is judged by it; a constant column costs nothing). _dlt_id: not from dlt, whose random id per
    # row made normalisation the slowest step of a large landing (bench/); sources that want it
    # carry it in their Arrow batches (Airtable: the record id, unique by construction).
    os.environ["NORMALIZE__PARQUET_NORMALIZER__ADD_DLT_LOAD_ID"] = "true"
    os.environ["NORMALIZE__PARQUET_NORMALIZER__ADD_DLT_ID"] = "false"
    # Large tables are split into files of 100k rows so that dlt COPYs the files concurrently.
    os.environ.setdefault("EXTRACT__DATA_WRITER__FILE_MAX_ITEMS", "100000")
    # dlt gzips its load files by default; they never leave this machine, and gzip was ~85 % of the
    # normalise step (bench/: 25 s -> 3 s for 860k Airtable records).
    os.environ.setdefault("NORMALIZE__DATA_WRITER__DISABLE_COMPRESSION", "true")
    # The same for the parquet files extract writes and normalise reads back once: snappy cost
    # more CPU than the bytes it saved on a local disk (bench/, scale 100: ~0.5 s of the landing).
    os.environ.setdefault("DATA_WRITER__COMPRESSION", "none")
    # Normalisation (parquet -> csv, pyarrow's C++ writer) in the landing's own process: under an
    # orchestrator dlt starts its worker pool with `spawn`, and importing dlt in each worker cost
    # more than the work it shared (bench/, scale 100: land 27.5 s with 2 workers, 25.7 s with 1).
    os.environ.setdefault("NORMALIZE__WORKERS", "1")
    # truncate-and-insert: the landing schema is ours alone, commit_landing makes the swap atomic
    destination = dlt.destinations.postgres(
        credentials=dlt_credentials(url), create_indexes=False, replace_strategy="truncate-and-insert"
    )
    return dlt.pipeline(
        pipeline_name=f"land_{source}",
        pipelines_dir=pipelines_dir(url),
        destination=destination,
        dataset_name=dataset(source),
        progress=None,
    )


RUN_KWARGS = {"loader_file_format": "csv"}


class _ExpectedHintWarnings:
    """Drops dlt's notice that Arrow string columns carry json/timestamp hints: that is by design
    here (the record travels as JSON text and PostgreSQL's COPY turns it into jsonb)."""

    def filter(self, record) -> bool:
        return "when merging arrow schema with dlt schema" not in record.getMessage()


def _quiet_dlt() -> None:
    """dlt's logger: without the expected hint warnings, masked, silent unless shown (masking.py)."""
    import logging

    logger = logging.getLogger("dlt")
    if not any(isinstance(f, _ExpectedHintWarnings) for f in logger.filters):
        logger.addFilter(_ExpectedHintWarnings())
    if not any(isinstance(f, MaskingFilter) for f in logger.filters):
        logger.addFilter(MaskingFilter())


def unwrap(exc: BaseException) -> BaseException:
    """The CutoverError dlt wrapped (extract errors arrive as PipelineStepFailed chains)."""
    seen = exc
    while seen is not None:
        if isinstance(seen, CutoverError):
            return seen
        seen = seen.__cause__ or seen.__context__
    return exc


def load_ids(load_info) -> list[str]:
    return list(load_info.loads_ids or [])


def landed_counts(conn, source: str, tables: list[str], ids: list[str]) -> dict[str, int]:
    """Rows of each raw table delivered by the load ids of this run (0 where the table is absent)."""
    counts = {}
    for table in tables:
        exists = conn.execute("select to_regclass(%s)", (f'raw_{source}."{table}"',)).fetchone()[0]
        if exists is None:
            counts[table] = 0
            continue
        counts[table] = conn.execute(
            f'select count(*) from raw_{source}."{table}" where _dlt_load_id = any(%s)', (ids,)
        ).fetchone()[0]
    # a key listed again in the same landing lands in raw_<source>.duplicates (Luma: pipelines/luma/source.py)
    if conn.execute("select to_regclass(%s)", (f"raw_{source}.duplicates",)).fetchone()[0] is not None:
        for table, extra in conn.execute(
            f"select source_table, count(*) from raw_{source}.duplicates where _dlt_load_id = any(%s) group by 1", (ids,)
        ).fetchall():
            if table in counts:
                counts[table] += extra
    return counts


def run_source(source: str, snapshot_dir: str | None = None, url: str | None = None):
    """Land one source (outside Dagster: bench, tests). Returns (load_info, seconds)."""
    pipeline = make_pipeline(source, url)
    started = time.monotonic()

    def attempt(dlt_source):
        pipeline.drop()  # a failed or killed earlier attempt's package is never replayed
        info = pipeline.run(dlt_source, **RUN_KWARGS)
        info.raise_on_failed_jobs()
        return info

    info = run_with_fallback(source, snapshot_dir, attempt, pipeline, url)
    return info, time.monotonic() - started


def land(source: str, snapshot_dir: str | None, run_id: str, url: str | None = None) -> dict:
    """Land `source` and record its first count hops for `run_id`; returns the per-table figures.

    Only lands: sources do not import gates. The land gate is the Great Expectations land suite,
    the blocking check of the Dagster land assets; a caller outside Dagster that wants it calls
    `expectations.phase.land_gate()` after this."""
    from pipelines.database import connect

    info, seconds = run_source(source, snapshot_dir, url)
    with connect(url) as conn:
        return after_load(conn, source, snapshot_dir, run_id, load_ids(info), seconds)


def after_load(conn, source: str, snapshot_dir: str | None, run_id: str, ids: list[str], seconds: float,
               tables: list[str] | None = None) -> dict:
    """Count ledger for a finished load; returns per-table figures for metadata. `tables` limits
    it to a subset."""
    from pipelines import markers
    from pipelines.ledger import record_land_counts

    snapshot = snapshot_dir if _has(source, snapshot_dir) else None
    reported = module(source).source_counts(snapshot)
    tables = sorted(tables or (set(reported) | set(registry.table_names(source))))
    reported = {t: reported.get(t) for t in tables}
    landed = landed_counts(conn, source, tables, ids)
    record_land_counts(conn, run_id, source, {t: (reported.get(t), landed.get(t)) for t in tables})
    markers.record(conn, run_id, source, reported, ids)  # a live landing's change markers (pipelines/markers.py)
    conn.commit()
    return {t: {"source_count": reported.get(t), "landed": landed.get(t), "seconds": seconds} for t in tables}


def _has(source: str, snapshot_dir: str | None) -> bool:
    return bool(snapshot_dir) and (Path(snapshot_dir) / source).is_dir()


def record_run(conn, run_id: str, job: str, snapshot_dir: str | None, apps: list[str] | None = None) -> None:
    """migration.runs: captured_at = the manifest's capture time, or (live) the run start; `apps`
    the applications the run covers."""
    from datetime import datetime, timezone

    from pipelines.ledger import add_note, record_run_start
    from pipelines.snapshot import all_counts, captured_at, missing_manifest

    if snapshot_dir:
        all_counts(snapshot_dir)  # a malformed count stops the run before anything lands
    captured = captured_at(snapshot_dir) or datetime.now(timezone.utc)
    record_run_start(conn, run_id, job, snapshot_dir, captured, apps)
    missing = missing_manifest(snapshot_dir)
    if missing:
        add_note(conn, run_id, "no_manifest", missing)

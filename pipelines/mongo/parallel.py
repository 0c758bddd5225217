"""Large mongodump `.bson` files decoded and turned into Arrow tables by worker processes.

Why: decoding BSON and writing Extended JSON is pure Python CPU (about 25 µs a document), two
thirds of a MongoDB landing at scale 100, while the second core sits idle until dlt's load starts.
The main process only cuts the file into chunks of whole documents (reading each document's 4-byte
length prefix), the workers decode and convert them (`arrow.to_arrow`, the same code as the
in-process path), and the tables come back as Arrow IPC in file order.

Decisions:
- One pool per process, started on first use and shut down by `shutdown()` after a landing (and at
  exit): MongoDB's eleven collections are extracted interleaved by dlt, and a pool per file would
  start a pair of processes per collection.
- `spawn`, not `fork`: the landing runs inside Dagster, whose threads a fork would copy mid-flight.
- A worker whose landing process died (a SIGKILL never shuts the pool down) exits by itself.
- At most two chunks per worker are in flight, so memory stays bounded whatever the file's size.
- Files under PARALLEL_MIN_BYTES are converted in process: starting workers costs more than it saves.
- CUTOVER_MONGO_WORKERS sets the number of workers (default: the cores, at most 4; 1 = in process).
- A malformed document still fails with the sentence `readers.checked_documents` writes, naming the
  file and the document's number, raised in the worker and re-raised here.
"""

from __future__ import annotations

import atexit
import os
import threading
from collections import deque
from pathlib import Path
from typing import Any, Iterator

from pipelines.errors import CutoverError

PARALLEL_MIN_BYTES = 4 * 2**20

_pool: Any = None
_pool_lock = threading.Lock()


def workers() -> int:
    from pipelines.settings import whole_number

    return whole_number("CUTOVER_MONGO_WORKERS", max(1, min(4, os.cpu_count() or 1)), "worker processes")


def worth_it(path: Path) -> bool:
    return path.suffix == ".bson" and workers() > 1 and path.stat().st_size >= PARALLEL_MIN_BYTES


def chunks(path: Path, documents_per_chunk: int) -> Iterator[tuple[int, bytes]]:
    """(number of the chunk's first document, whole documents back to back) through the file."""
    with open(path, "rb") as handle:
        yield from _chunks(handle.read, path, documents_per_chunk)


def chunks_of(data: bytes, documents_per_chunk: int, path: Path = Path("<bytes>")) -> Iterator[tuple[int, bytes]]:
    import io

    return _chunks(io.BytesIO(data).read, path, documents_per_chunk)


def _chunks(read, path: Path, documents_per_chunk: int) -> Iterator[tuple[int, bytes]]:
    number = 1
    while True:
        first, parts = number, []
        while len(parts) < documents_per_chunk:
            head = read(4)
            if not head:
                break
            size = int.from_bytes(head, "little", signed=True) if len(head) == 4 else 0
            body = read(size - 4) if size >= 5 else b""
            if size < 5 or len(body) != size - 4:
                raise CutoverError(f"{path}: document {number} is not valid BSON (its size prefix says {size} bytes "
                                   "but the file ends or the size is impossible); re-run mongodump for this collection.")
            parts.append(head + body)
            number += 1
        if not parts:
            return
        yield first, b"".join(parts)


def convert(path: str, first_number: int, data: bytes) -> bytes:
    """In a worker: one chunk of BSON documents -> an Arrow table as IPC stream bytes."""
    import bson
    import pyarrow as pa

    from pipelines.mongo.readers import checked_documents, codec_options
    from pipelines.mongo.arrow import to_arrow

    documents = list(checked_documents(bson.decode_iter(data, codec_options()), Path(path), first_number))
    table = to_arrow(documents)
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    return sink.getvalue().to_pybytes()


def _executor():
    global _pool
    with _pool_lock:
        if _pool is None:
            import multiprocessing
            from concurrent.futures import ProcessPoolExecutor

            _keep_spawn_from_rerunning_main()
            _pool = ProcessPoolExecutor(max_workers=workers(), mp_context=multiprocessing.get_context("spawn"),
                                        initializer=_start_worker, initargs=(os.getpid(),))
        return _pool


def _start_worker(parent_pid: int) -> None:
    """In a worker, before its first chunk: the landing's allocators (pipelines/land_memory.py)."""
    from pipelines.land_memory import bound_allocators

    bound_allocators()
    _exit_with_parent(parent_pid)


def _exit_with_parent(parent_pid: int) -> None:
    """In a worker: leave as soon as the landing process is gone. A SIGKILLed parent never shuts
    its pool down, and a worker blocked on the task queue would otherwise live on, orphaned."""

    def watch() -> None:
        import time

        while os.getppid() == parent_pid:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()


def _keep_spawn_from_rerunning_main() -> None:
    """A spawned worker re-imports the parent's `__main__` by path (running a script's top level
    again) unless `__main__` has a module spec; dlt's own process pools set the same spec under an
    orchestrator. Workers need nothing from `__main__`: they import `pipelines.mongo` by name."""
    import sys
    from importlib.machinery import ModuleSpec

    main = sys.modules.get("__main__")
    if main is not None and getattr(getattr(main, "__spec__", None), "name", None) is None:
        main.__spec__ = ModuleSpec(name="__main__", loader=None)


def shutdown() -> None:
    """Stop the worker processes (the next parallel file starts new ones)."""
    global _pool
    with _pool_lock:
        pool, _pool = _pool, None
    if pool is not None:
        pool.shutdown(wait=True, cancel_futures=True)


atexit.register(shutdown)


def arrow_tables(path: Path, documents_per_chunk: int) -> Iterator[Any]:
    """The file's rows as Arrow tables of at most `documents_per_chunk` rows, in file order."""
    import pyarrow as pa
    from concurrent.futures.process import BrokenProcessPool

    pool = _executor()
    in_flight = 2 * workers()
    pending: deque = deque()

    def next_table():
        try:
            data = pending.popleft().result()
        except BrokenProcessPool as exc:
            shutdown()
            raise CutoverError(f"a worker converting {path} died ({exc}); rerun the landing "
                               "(set CUTOVER_MONGO_WORKERS=1 to convert in process).") from exc
        return pa.ipc.open_stream(data).read_all()

    try:
        for first, data in chunks(path, documents_per_chunk):
            pending.append(pool.submit(convert, str(path), first, data))
            if len(pending) >= in_flight:
                yield next_table()
        while pending:
            yield next_table()
    finally:
        for future in pending:
            future.cancel()

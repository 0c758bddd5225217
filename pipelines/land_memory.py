"""Allocators of a landing process: memory freed by one batch is handed back, not kept per thread.

Why (bench/, scale 100, `cutover land` alone, PSS of the process tree plus backends): the landing
process peaked at 750-830 MiB PSS although pyarrow never held more than ~90 MiB at once; the rest was
memory already freed but kept by the allocators. pyarrow's default pool (mimalloc) keeps freed
pages per thread, and glibc's malloc gives every landing thread (the sources, dlt's load
threads) an arena of its own whose freed chunks no other thread reuses.

Decisions:
- pyarrow allocates from the system allocator (`pa.system_memory_pool()`): batches come and go
  at the rate of one per few thousand rows, which the system allocator serves as fast here.
- glibc keeps at most LANDING_ARENAS malloc arenas (`mallopt(M_ARENA_MAX)`); a C library without
  mallopt (not glibc) is left as it is. Both settings only change where freed memory goes, never
  what is landed, and they last for the process: the phases after the landing allocate little.
- Called once before the landing threads (assets/land/concurrent.py) and in every MongoDB
  conversion worker (pipelines/mongo/parallel.py).
"""

from __future__ import annotations

LANDING_ARENAS = 2
_M_ARENA_MAX = -8  # glibc's malloc.h


def bound_allocators() -> None:
    import ctypes
    import ctypes.util

    import pyarrow as pa

    pa.set_memory_pool(pa.system_memory_pool())
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        libc.mallopt(_M_ARENA_MAX, LANDING_ARENAS)
    except (OSError, AttributeError):  # not glibc: its allocator is left as it is
        pass

"""Running one task per establishment in worker processes, results back in index order.

Workers are forked, so the (large, read-only) context is inherited rather than pickled;
only each task's result travels back. Every task draws from its own seeded streams and
writes its own files, so output is byte-identical whatever the number of workers.
"""

from __future__ import annotations

import multiprocessing
import os
import traceback
from collections.abc import Callable
from typing import Any, TypeVar

from cellwatch.errors import WorkerFailed

C = TypeVar("C")
R = TypeVar("R")


def default_workers() -> int:
    """Cores this process may use (at most 8: beyond that the writer's disk is the limit)."""
    try:
        n = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        n = os.cpu_count() or 1
    return max(1, min(8, n))


def _serve(fn: Callable[[Any, int], Any], ctx: Any, tasks: Any, results: Any) -> None:
    while True:
        i = tasks.get()
        if i is None:
            return
        try:
            results.put((i, fn(ctx, i), None))
        except BaseException:  # reported to the parent, which raises
            results.put((i, None, traceback.format_exc()))


def run_tasks(
    fn: Callable[[C, int], R],
    ctx: C,
    n: int,
    workers: int,
    done: Callable[[int], None] | None = None,
) -> list[R]:
    """``[fn(ctx, i) for i in range(n)]``, spread over ``workers`` forked processes.

    ``done(i)`` is called in the parent as each task finishes (for a progress bar).
    """
    if workers <= 1 or n <= 1 or "fork" not in multiprocessing.get_all_start_methods():
        out = []
        for i in range(n):
            out.append(fn(ctx, i))
            if done:
                done(i)
        return out
    mp = multiprocessing.get_context("fork")
    tasks: Any = mp.SimpleQueue()
    results: Any = mp.SimpleQueue()
    for i in range(n):
        tasks.put(i)
    procs = []
    for _ in range(min(workers, n)):
        tasks.put(None)
        p = mp.Process(target=_serve, args=(fn, ctx, tasks, results), daemon=True)
        p.start()
        procs.append(p)
    got: dict[int, R] = {}
    try:
        while len(got) < n:
            i, value, error = results.get()
            if error is not None:
                raise WorkerFailed(f"establishment task {i} failed:\n{error}")
            got[i] = value
            if done:
                done(i)
    finally:
        for p in procs:
            if len(got) < n:
                p.terminate()
            p.join()
    return [got[i] for i in range(n)]

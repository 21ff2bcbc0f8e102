"""The process pool of ``--jobs``: every item done once, results in input order, a dead worker's items redone."""

from __future__ import annotations

import os
import time

import pytest

from pullcheck.engine import _parallel
from pullcheck.workers import MAX_ITEMS, Pool

PARENT = os.getpid()


def _slow_pid(x: int) -> tuple[int, int]:
    time.sleep(0.002)
    return x, os.getpid()


def test_results_come_in_input_order_from_every_process() -> None:
    got = list(Pool(_slow_pid, list(range(200)), 3).results())
    assert [x for x, _ in got] == list(range(200))
    pids = {pid for _, pid in got}
    assert PARENT in pids and len(pids) == 3  # the parent lints its share too


def _dies_in_a_worker(x: int) -> int:
    if x % 10 == 3 and os.getpid() != PARENT:
        os._exit(3)  # a worker killed mid-run (OOM killer, a crash in C)
    time.sleep(0.001)
    return x * x


def test_items_of_a_dead_worker_are_done_by_the_parent() -> None:
    assert list(Pool(_dies_in_a_worker, list(range(100)), 2).results()) == [x * x for x in range(100)]


def test_stopping_early_ends_the_workers() -> None:
    pool = Pool(_slow_pid, list(range(500)), 2)
    results = pool.results()
    assert next(results)[0] == 0
    pids = list(pool.pids)
    results.close()
    for pid in pids:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            continue
        raise AssertionError(f"worker {pid} still running")


def test_claims_fit_one_pipe_write_and_more_items_are_refused() -> None:
    """The item numbers are written into a pipe before the fork, in one write that cannot block."""
    items = list(range(MAX_ITEMS))
    assert list(Pool(_square, items, 2).results()) == [x * x for x in items]
    with pytest.raises(ValueError):
        list(Pool(_square, [*items, MAX_ITEMS], 2).results())


def test_the_engine_groups_any_number_of_files_into_at_most_max_items_chunks() -> None:
    items = list(range(5 * MAX_ITEMS + 3))
    chunks = list(_parallel(list, items, 2))
    assert len(chunks) <= MAX_ITEMS and [x for c in chunks for x in c] == items


def _square(x: int) -> int:
    return x * x

"""Bounded fan-out over (account, region) work items, with a deterministic serial mode for tests."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")


def run_all(
    items: Sequence[T], fn: Callable[[T], R], workers: int, on_done: Callable[[], None] | None = None
) -> list[R]:
    """Apply fn to every item, at most `workers` at a time; results in input order.

    Exceptions propagate (after every task finished): the tasks themselves record AWS refusals as
    ErrorRecords, so an exception here is a bug and must not be hidden.
    """

    def task(item: T) -> R:
        result = fn(item)
        if on_done is not None:
            on_done()
        return result

    if workers <= 1 or len(items) <= 1:
        return [task(item) for item in items]
    with ThreadPoolExecutor(max_workers=min(workers, len(items)), thread_name_prefix="lambdaops") as pool:
        futures = [pool.submit(task, item) for item in items]
        return [f.result() for f in futures]

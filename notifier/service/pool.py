"""Rendering and building messages in worker processes, so a run uses every core."""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from itertools import chain
from typing import TYPE_CHECKING, Any

from notifier.core.domain import Notice

if TYPE_CHECKING:
    from notifier.service.compose import Composer, Prepared

CHUNK = 40
_worker: Any = None  # the Composer of a worker process, made once by its initializer


def _start_worker(factory: Callable[[], Composer]) -> None:
    global _worker
    _worker = factory()


def _prepare_chunk(notices: list[Notice]) -> list[Prepared]:
    return [_worker.built(n) for n in notices]


class PreparePool:
    """A lazily started pool of worker processes, each holding its own Composer (templates are
    compiled once per worker). Batches smaller than `threshold` are done in the caller."""

    def __init__(self, factory: Callable[[], Composer], workers: int, threshold: int = 500):
        self.factory, self.workers, self.threshold = factory, workers, threshold
        self._executor: ProcessPoolExecutor | None = None

    def prepare(self, notices: Sequence[Notice]) -> Iterator[Prepared]:
        """Hand every chunk to the workers now (they go on while the caller does other work);
        the results arrive, in order, as the returned iterator is read."""
        chunks = [list(notices[i : i + CHUNK]) for i in range(0, len(notices), CHUNK)]
        return chain.from_iterable(self._pool().map(_prepare_chunk, chunks))

    def _pool(self) -> ProcessPoolExecutor:
        if self._executor is None:
            context = multiprocessing.get_context("forkserver")
            self._executor = ProcessPoolExecutor(
                self.workers,
                mp_context=context,
                initializer=_start_worker,
                initargs=(self.factory,),
            )
        return self._executor

    def close(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(cancel_futures=True)
            self._executor = None

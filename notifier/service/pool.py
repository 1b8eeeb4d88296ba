"""Rendering and building messages in worker processes, so a run uses every core."""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from multiprocessing.connection import Connection
from typing import TYPE_CHECKING, Any

from notifier.core.domain import Notice

if TYPE_CHECKING:
    from notifier.service.compose import Composer, Prepared

CHUNK = 40
_worker: Any = None  # the Composer of a worker process, made once by its initializer


def _start_worker(factory: Callable[[], Composer], parent_alive: Connection) -> None:
    global _worker
    watch = threading.Thread(
        target=_exit_with_parent, args=(parent_alive,), name="watch-parent", daemon=True
    )
    watch.start()
    _worker = factory()


def _exit_with_parent(parent_alive: Connection) -> None:
    """End this worker once the process that started it is gone (it exited or was killed): the
    pipe's only writing end is the parent's, so the read sees end-of-file then. Without this, a
    worker waits on its task queue, or blocks writing a result, forever."""
    with contextlib.suppress(EOFError, OSError):
        while True:
            parent_alive.recv_bytes()
    os._exit(1)


def _ping() -> None:
    """Done once a worker has started (its initializer has run): it can take work."""


def _prepare_chunk(notices: list[Notice]) -> list[Prepared]:
    return [_worker.built(n) for n in notices]


class PreparePool:
    """A lazily started pool of worker processes, each holding its own Composer (templates are
    compiled once per worker). Batches smaller than `threshold` are done in the caller.

    Workers are spawned (a fresh interpreter each, as safe as forkserver in a threaded process,
    as fast to start, and one process fewer), and each ends by itself when this process dies,
    even by kill -9: nothing is left behind."""

    def __init__(self, factory: Callable[[], Composer], workers: int, threshold: int = 500):
        self.factory, self.workers, self.threshold = factory, workers, threshold
        self._executor: ProcessPoolExecutor | None = None
        self._alive: tuple[Connection, Connection] | None = None
        self._started: Future[None] | None = None

    def ready(self) -> bool:
        """Whether a worker has started and can take work; the first call starts the workers."""
        if self._started is None:
            self._started = self._pool().submit(_ping)
        return self._started.done()

    def prepare(self, notices: Sequence[Notice]) -> Iterator[list[Prepared]]:
        """Hand every chunk to the workers now (they go on while the caller does other work);
        the prepared chunks arrive, in order, as the returned iterator is read: the caller
        delivers the first while the workers render the rest."""
        chunks = [list(notices[i : i + CHUNK]) for i in range(0, len(notices), CHUNK)]
        return self._pool().map(_prepare_chunk, chunks)

    def _pool(self) -> ProcessPoolExecutor:
        if self._executor is None:
            context = multiprocessing.get_context("spawn")
            # Held open by this process alone: workers see end-of-file when it is gone.
            self._alive = context.Pipe(duplex=False)
            self._executor = ProcessPoolExecutor(
                self.workers,
                mp_context=context,
                initializer=_start_worker,
                initargs=(self.factory, self._alive[0]),
            )
        return self._executor

    def close(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(cancel_futures=True)
            self._executor, self._started = None, None
        if self._alive is not None:
            for end in self._alive:
                end.close()
            self._alive = None

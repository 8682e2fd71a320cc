"""Pages of a big export worked by several processes, written in file order.

Ingest's Python per record (parsing, building the case with the engine, encoding
its rows) is several times the SQL that stores it, so a big export is worked by
one process per core: each opens its own connection to the casebook, reads, imports,
computes and encodes a whole page side by side with the others, then waits for its
*turn* (the pages before it written) to write it. A page whose reads another page's
write overtook is computed again under its turn, as a serial ingest would have
computed it (``_ingest._page``), so the outcomes and the casebook are the serial
ingest's, record for record.

Processes are forked (a fresh interpreter would spend longer importing than a small
export takes); where fork is not offered, and for a casebook no other process can
open (``":memory:"``), the pages are worked here, one after another.
"""

from __future__ import annotations

import collections
import contextlib
import itertools
import multiprocessing
import multiprocessing.util
import os
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, TypeVar

from ._errors import CasebookError
from ._store import Store

__all__ = ["IngestAbandoned", "Turn", "in_turns"]

_NEVER = 2**62
P = TypeVar("P")
R = TypeVar("R")

#: A page's work: the worker's own store, the page, the turn to write it in.
Work = Callable[[Store, P, "Turn"], R]


class IngestAbandoned(CasebookError):
    """A page before this one failed, so this one is not written (nor any after it)."""


#: How a process waiting for its turn polls: a page's write takes tens of milliseconds,
#: and a process that sleeps past its turn leaves a core idle meanwhile (at up to 10 ms
#: a poll, about 5 ms a page: a second of a 100k ingest).
_FIRST_PAUSE = 0.0002
_LONGEST_PAUSE = 0.001


class _Turns:
    """Whose turn it is to write, shared by the processes: page ``i`` writes after ``i - 1``.

    Two shared integers, read and written without a lock and waited on by polling: a
    worker killed at any point (holding a lock, or asleep on a condition) must not stop
    the others or the ingesting process, and a page takes far longer than a poll.
    """

    def __init__(self, context: Any) -> None:
        self._next = context.Value("q", 0, lock=False)
        self._stop = context.Value("q", _NEVER, lock=False)  # the first page not to write

    def wait(self, index: int) -> None:
        pause = _FIRST_PAUSE
        while self._next.value != index:
            if index >= self._stop.value:
                raise IngestAbandoned("an earlier page of this ingest failed")
            time.sleep(pause)
            pause = min(pause * 2, _LONGEST_PAUSE)
        if index >= self._stop.value:
            raise IngestAbandoned("an earlier page of this ingest failed")

    def passed(self, index: int) -> bool:
        return bool(self._next.value > index)

    def pass_on(self, index: int) -> None:
        self._next.value = index + 1

    def abandon(self, index: int) -> None:
        """Write no page from ``index`` on (those before it still write, in turn)."""
        self._stop.value = min(self._stop.value, index)


class Turn:
    """One page's turn: entered to write, passed on when the block ends (or the page fails)."""

    def __init__(self, turns: _Turns | None, index: int) -> None:
        self._turns = turns
        self._index = index

    def __enter__(self) -> None:
        if self._turns is not None:
            self._turns.wait(self._index)

    def __exit__(self, kind: object, *_: object) -> None:
        if self._turns is None:
            return
        if kind is not None:
            self._turns.abandon(self._index)  # what comes after a failed page is not written
        self._turns.pass_on(self._index)

    def settle(self) -> None:
        """Pass the turn on for a page whose work ended without taking it."""
        if self._turns is not None and not self._turns.passed(self._index):
            with self:
                pass


# -- in a worker process ------------------------------------------------------------------------

_worker: dict[str, Any] = {}


def _start(book: Store, work: Work[Any, Any], turns: _Turns, parent: int) -> None:
    """In a forked worker: its own connection (the ingesting process's is left alone)."""
    db = book._db.reopen()
    assert db is not None  # the ingesting process opened one before starting the workers
    store = Store(db, book.policy)
    multiprocessing.util.Finalize(store, store.close, exitpriority=10)
    _worker.update(store=store, work=work, turns=turns)
    threading.Thread(target=_orphaned, args=(parent,), daemon=True).start()


def _orphaned(parent: int) -> None:
    """End this worker once the ingest that started it is gone (killed): nothing waits for it."""
    while os.getppid() == parent:
        time.sleep(1.0)
    os._exit(1)


def _run(index: int, page: Any) -> Any:
    turn = Turn(_worker["turns"], index)
    try:
        return _worker["work"](_worker["store"], page, turn)
    except BaseException:
        _worker["turns"].abandon(index)
        raise
    finally:
        with contextlib.suppress(IngestAbandoned):
            turn.settle()


# -- in the ingesting process -------------------------------------------------------------------


def _context() -> Any:
    if "fork" not in multiprocessing.get_all_start_methods():
        return None
    return multiprocessing.get_context("fork")


def in_turns(book: Store, pages: Iterable[P], work: Work[P, R], *, jobs: int) -> Iterator[R]:
    """``work(store, page, turn)`` for each page, its results in page order.

    ``jobs`` > 1: that many processes, each with its own connection (``book``'s database
    reopened); a page is read from ``pages`` only when a process is about to be free,
    so a streamed export stays streamed. Otherwise (or where that cannot be done) here.
    """
    pages = iter(pages)
    first = list(itertools.islice(pages, 2))
    context = _context() if jobs > 1 and len(first) > 1 else None
    pages = itertools.chain(first, pages)
    if context is None:  # one page (a small export) is not worth starting processes
        for page in pages:
            yield work(book, page, Turn(None, 0))
        return
    yield from _in_processes(book, pages, work, jobs, context)


def _in_processes(
    book: Store, pages: Iterable[P], work: Work[P, R], jobs: int, context: Any
) -> Iterator[R]:
    probe = book._db.reopen()
    if probe is None:  # nothing another process can open: here, one after another
        for page in pages:
            yield work(book, page, Turn(None, 0))
        return
    probe.close()
    turns = _Turns(context)
    parent = os.getpid()
    pending: collections.deque[Future[R]] = collections.deque()
    executor = ProcessPoolExecutor(
        jobs, mp_context=context, initializer=_start, initargs=(book, work, turns, parent)
    )
    try:
        for index, page in enumerate(pages):
            pending.append(executor.submit(_run, index, page))
            while len(pending) > jobs:
                yield pending.popleft().result()
        # Every page is handed out: the processes work the last ones, and a core is about
        # to idle. The log's pages written so far are copied into the file now, not by
        # the last commit or the closing connection with nothing else to do (about 0.2 s
        # of a 10k ingest: 64 MiB of log).
        book._db.checkpoint()
        while pending:
            yield pending.popleft().result()
    except BrokenProcessPool:
        turns.abandon(0)
        raise CasebookError(_KILLED) from None
    except BaseException:
        turns.abandon(0)  # the pages before the one that failed are all written by now
        raise
    finally:
        executor.shutdown(wait=True, cancel_futures=True)


_KILLED = (
    "an ingest process ended without finishing its page (killed?); the pages written "
    "before it are kept: ingest the files again to store the rest"
)

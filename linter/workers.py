"""Apply a function to a list of items in ``jobs`` processes: this one and ``jobs - 1`` forked workers.

Every process claims the next item number from a pipe the numbers were written into before the
fork, so the work balances itself, and the parent, instead of idling while a pool works, takes its
share too (``--jobs 2`` on two cores runs two busy processes, not three). The workers inherit the
items through the fork (no task crosses a pipe) and send back only their results, pickled. Results
come out in input order; an item whose worker died before sending its result is done by the parent.
"""

from __future__ import annotations

import gc
import os
import pickle
import queue
import select
import signal
import struct
import threading
from collections.abc import Callable, Iterator, Sequence
from typing import Generic, TypeVar

S = TypeVar("S")
R = TypeVar("R")

_FRAME = struct.Struct("<qQ")  # item number, length of the pickle that follows
_DONE = -1  # a reader's last message: its worker has exited


# The item numbers fill one pipe write of at most PIPE_BUF bytes: written before any reader
# exists, into an empty pipe, it cannot block. Callers group their work into at most this many items.
MAX_ITEMS = select.PIPE_BUF // 4
_CLAIM = struct.Struct("<i")


class _Claims:
    """The item numbers every process takes its next one from: written into a pipe before the fork,
    read four bytes at a time (a pipe read never splits them: the pipe holds whole numbers only).
    ``multiprocessing``'s shared counter cost 16 ms of imports and set-up before the first fork."""

    def __init__(self, count: int) -> None:
        if count > MAX_ITEMS:
            raise ValueError(f"{count} items for a pool of at most {MAX_ITEMS}")
        r, w = os.pipe()
        try:
            data = b"".join(map(_CLAIM.pack, range(count)))
            if os.write(w, data) != len(data):
                raise OSError("short write to the claims pipe")
        except BaseException:
            os.close(r)
            raise
        finally:
            os.close(w)
        self.fd = r

    def next(self) -> int:
        """The next unclaimed item number, or -1 once every one is claimed."""
        data = os.read(self.fd, _CLAIM.size)
        return _CLAIM.unpack(data)[0] if len(data) == _CLAIM.size else -1

    def close(self) -> None:
        """Release the pipe (every process that read from it does, or exits)."""
        os.close(self.fd)


class Pool(Generic[S, R]):
    """``jobs - 1`` forked workers and this process, all applying ``work`` to ``items``."""

    def __init__(self, work: Callable[[S], R], items: Sequence[S], jobs: int) -> None:
        self.work = work
        self.items = items
        self.jobs = jobs
        self.claims: _Claims  # made when the results are asked for, closed when they are all out
        self.inbox: queue.SimpleQueue[tuple[int, bytes]] = queue.SimpleQueue()
        self.pids: list[int] = []

    def results(self) -> Iterator[R]:
        """Every item's result, in input order."""
        done: dict[int, R] = {}
        emitted = 0  # results already yielded
        complete = False
        self.claims = _Claims(len(self.items))
        try:
            running = self._start()
            while True:
                n = self.claims.next()
                if n >= 0:
                    done[n] = self.work(self.items[n])
                    running -= self._receive(done, block=False)
                elif running:
                    running -= self._receive(done, block=True)
                else:
                    break
                while emitted in done:
                    yield done.pop(emitted)
                    emitted += 1
            for n in range(emitted, len(self.items)):  # items whose worker died before sending them
                yield done.pop(n) if n in done else self.work(self.items[n])
            complete = True
        finally:
            self._stop(terminate=not complete)
            self.claims.close()
            gc.unfreeze()

    def _receive(self, done: dict[int, R], block: bool) -> int:
        """Move the results that arrived into ``done``; the number of workers that finished."""
        finished = 0
        while True:
            try:
                n, data = self.inbox.get(block=block)
            except queue.Empty:
                return finished
            block = False
            if n == _DONE:
                finished += 1
            else:
                done[n] = pickle.loads(data)

    def _start(self) -> int:
        """Fork the workers (before any thread of ours exists), then start one reader thread each."""
        # Inherited objects stay out of every collection until the run ends, so their pages stay
        # shared instead of being copied when a collector writes their headers.
        gc.freeze()
        pipes: list[int] = []
        for _ in range(self.jobs - 1):
            r, w = os.pipe()
            try:
                pid = os.fork()
            except OSError:  # no more processes: the ones running share the work
                os.close(r)
                os.close(w)
                break
            if pid == 0:
                os.close(r)
                self._worker(w)  # never returns
            os.close(w)
            self.pids.append(pid)
            pipes.append(r)
        for fd in pipes:
            threading.Thread(target=self._read, args=(fd,), daemon=True).start()
        return len(pipes)

    def _worker(self, fd: int) -> None:
        """A worker's whole life: claim, work, send, until no item is left; then exit."""
        code = 0
        try:
            with os.fdopen(fd, "wb") as out:
                while (n := self.claims.next()) >= 0:
                    data = pickle.dumps(self.work(self.items[n]), pickle.HIGHEST_PROTOCOL)
                    out.write(_FRAME.pack(n, len(data)))
                    out.write(data)
                    out.flush()
        except BaseException:  # the parent does what this worker did not send
            code = 1
        os._exit(code)

    def _read(self, fd: int) -> None:
        """Reader thread: the results of one worker into the inbox, then ``_DONE``."""
        try:
            with os.fdopen(fd, "rb") as src:
                while len(head := src.read(_FRAME.size)) == _FRAME.size:
                    n, size = _FRAME.unpack(head)
                    data = src.read(size)
                    if len(data) < size:
                        break
                    self.inbox.put((n, data))
        finally:
            self.inbox.put((_DONE, b""))

    def _stop(self, terminate: bool) -> None:
        """Reap the workers; when the run ended early (an error, Ctrl-C), terminate them first."""
        for pid in self.pids:
            try:
                if terminate:
                    os.kill(pid, signal.SIGTERM)
                os.waitpid(pid, 0)
            except (ChildProcessError, ProcessLookupError):
                pass
        self.pids = []

"""One submission writing to a SQLite database at a time, the others waiting their turn.

SQLite lets one transaction write at a time. A second writer does not queue for it: its busy
handler sleeps and tries again, sleeping longer each time (1, 2, 5, 10 ... 100 ms), so the lock
often lies free while every waiter sleeps, and whoever happens to wake first takes it. With 8
clients sending responses to 2 processes of 4 threads, that made the slowest twentieth of
submissions wait 60-90 ms and left throughput below what one writer after another achieves
(bench/results.md). Here submissions queue instead: the threads of one process on a lock, the
processes on an exclusive flock of a file beside the database, which the kernel hands to the
next waiter the moment it is let go. SQLite's own lock still decides; every other write (a
page of answers saved to a draft) simply goes on meeting it as before.

No deadlock: the queue is only ever joined before the transaction writes anything. A
transaction that has written already (the first submission of a new wording creates its
snapshot first) holds SQLite's lock itself and goes ahead without queueing: a thread holding
the queue then waits for it on SQLite's busy handler, as before, never the other way round.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import threading
from collections.abc import Iterator

try:
    import fcntl
except ImportError:  # Windows has none: there the threads of one process still queue
    fcntl = None  # type: ignore[assignment]

_in_this_process = threading.Lock()
# (process, database path) -> the open lock file: a process forked from one that opened it
# would share its flock, so each process opens its own.
_queue_files: dict[tuple[int, str], int] = {}


def _queue_file(database_path: str) -> int | None:
    """The descriptor of the lock file beside a database file (None for a database in
    memory, which only this process can see)."""
    if fcntl is None or database_path in ("", ":memory:") or database_path.startswith("file:"):
        return None
    key = (os.getpid(), database_path)
    descriptor = _queue_files.get(key)
    if descriptor is None:
        descriptor = os.open(f"{database_path}.writer-lock", os.O_RDWR | os.O_CREAT, 0o600)
        _queue_files[key] = descriptor
    return descriptor


@contextlib.contextmanager
def one_writer_at_a_time(connection: sqlite3.Connection, database_path: str) -> Iterator[None]:
    """Hold the queue for the block, which must write and end its transaction (commit or roll
    back) before it ends: the next writer is let in when it does."""
    if connection.in_transaction:
        yield  # already writing: it holds SQLite's lock (see the module's notes)
        return
    with _in_this_process:
        descriptor = _queue_file(database_path)
        if descriptor is None:
            yield
            return
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(descriptor, fcntl.LOCK_UN)

"""One submission writing to a SQLite database at a time, the others waiting their turn, and
the submissions waiting written together when it comes.

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

Group commit: the thread whose turn comes writes every submission of its process waiting for
the same database by then, each in a savepoint of one transaction, and commits them together
(write_in_turn). A commit was about a sixth of a submission's CPU (36 pages appended to the log,
and a sync); under load a few submissions share one, which took SQLite submissions from 0.62-
0.68 of the bare insert's rate to 0.69-0.79 (bench/results.md). Each submission stays atomic:
one that fails is rolled back to its savepoint alone.
"""

from __future__ import annotations

import contextlib
import copy
import os
import sqlite3
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass

try:
    import fcntl
except ImportError:  # Windows has none: there the threads of one process still queue
    fcntl = None  # type: ignore[assignment]

# One thread of the process writes at a time; the others wait on the condition, for their turn
# or for another thread to have written their submission.
_turn = threading.Condition()
_writing = False
# Database -> its submissions waiting for a turn. A database in memory is only its connection's
# (each connection to ":memory:" opens one of its own), so its submissions are written alone.
_waiting: dict[str | int, list[_Waiting]] = {}
# (process, database path) -> the open lock file: a process forked from one that opened it
# would share its flock, so each process opens its own.
_queue_files: dict[tuple[int, str], int] = {}


@dataclass(eq=False)
class _Waiting:
    """One submission's statements waiting to be written; then its response id or error."""

    write: Callable[[sqlite3.Connection], int]
    response_id: int | None = None
    error: BaseException | None = None
    done: bool = False  # written, or failed, by whichever thread wrote its batch


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


def _take_turn(submission: _Waiting | None = None) -> bool:
    """Wait for the turn of this process's threads and take it (True), or, for a submission
    waiting, until another thread has written it in its batch (False)."""
    global _writing
    with _turn:
        while _writing and not (submission is not None and submission.done):
            _turn.wait()
        if submission is not None and submission.done:
            return False
        _writing = True
        return True


def _end_turn() -> None:
    global _writing
    with _turn:
        _writing = False
        _turn.notify_all()


@contextlib.contextmanager
def _other_processes_shut_out(database_path: str) -> Iterator[None]:
    descriptor = _queue_file(database_path)
    if descriptor is None:
        yield
        return
    fcntl.flock(descriptor, fcntl.LOCK_EX)
    try:
        yield
    finally:
        fcntl.flock(descriptor, fcntl.LOCK_UN)


@contextlib.contextmanager
def one_writer_at_a_time(connection: sqlite3.Connection, database_path: str) -> Iterator[None]:
    """Hold the turn for the block, which must write and end its transaction (commit or roll
    back) before it ends: the next writer is let in when it does."""
    if connection.in_transaction:
        yield  # already writing: it holds SQLite's lock (see the module's notes)
        return
    _take_turn()
    try:
        with _other_processes_shut_out(database_path):
            yield
    finally:
        _end_turn()


def waiting_to_write(database_path: str) -> int:
    """How many submissions to the database file wait for a turn in this process."""
    with _turn:
        return len(_waiting.get(database_path, ()))


def write_in_turn(
    connection: sqlite3.Connection,
    database_path: str,
    write: Callable[[sqlite3.Connection], int],
    commit: Callable[[sqlite3.Connection], None],
) -> int:
    """Write one submission, committed, in its turn, with the others waiting then (see the
    module's notes): `write` sends its statements on the connection it is given and returns the
    response's id. Returns that id, or raises the submission's own error, nothing of it
    written. An error that ends the batch's transaction, or a failed commit, is the error of
    every submission in the batch, none of which is written.
    """
    if connection.in_transaction:  # already writing: it goes ahead alone (see the module's notes)
        response_id = write(connection)
        commit(connection)
        return response_id
    submission = _Waiting(write)
    key: str | int = database_path if _queue_file(database_path) is not None else id(connection)
    with _turn:
        _waiting.setdefault(key, []).append(submission)
    if _take_turn(submission):  # not written in another's batch: this thread writes the next
        try:
            with _turn:
                batch = _waiting.pop(key)
            _write_batch(connection, database_path, batch, commit)
        finally:
            _end_turn()
    if submission.error is not None:
        raise submission.error
    assert submission.response_id is not None
    return submission.response_id


def _write_batch(
    connection: sqlite3.Connection,
    database_path: str,
    batch: list[_Waiting],
    commit: Callable[[sqlite3.Connection], None],
) -> None:
    try:
        with _other_processes_shut_out(database_path):
            try:
                if len(batch) == 1:  # the usual case when the portal is quiet: no savepoint
                    batch[0].response_id = batch[0].write(connection)
                else:
                    _write_each_in_a_savepoint(connection, batch)
                commit(connection)
            except BaseException:
                if connection.in_transaction:  # rolled back before the next writer's turn
                    with contextlib.suppress(sqlite3.Error):
                        connection.rollback()
                raise
    except BaseException as error:  # nothing of the batch is written
        for submission in batch:
            if submission.error is None:
                # Each thread raises an error of its own: one exception raised in several
                # threads at once would have their tracebacks mixed.
                submission.error = error if submission is batch[0] else copy.copy(error)
    finally:
        for submission in batch:
            submission.done = True


def _write_each_in_a_savepoint(connection: sqlite3.Connection, batch: list[_Waiting]) -> None:
    connection.execute("BEGIN")
    for submission in batch:
        connection.execute("SAVEPOINT submission")
        try:
            submission.response_id = submission.write(connection)
        except Exception as error:
            if not connection.in_transaction:
                raise  # SQLite ended the whole transaction: the batch's error
            submission.error = error
            connection.execute("ROLLBACK TO submission")
        connection.execute("RELEASE submission")

"""Submissions to a SQLite database take turns: the threads of a process, and the processes
sharing the file, queue for one writer at a time (portal/responses/storing/sqlite_writer.py).
A transaction already writing never queues, so nothing waits in a circle. The submissions of a
process waiting for a turn are written together, each in a savepoint, with one commit."""

from __future__ import annotations

import contextlib
import multiprocessing
import sqlite3
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from portal.responses.storing import sqlite_writer
from portal.responses.storing.sqlite_writer import one_writer_at_a_time, write_in_turn

WAIT = 5.0  # seconds before a test gives up on an event that should come at once


def _database(tmp_path: Path) -> tuple[sqlite3.Connection, str]:
    path = str(tmp_path / "portal.sqlite3")
    connection = sqlite3.connect(path, check_same_thread=False)
    connection.execute("CREATE TABLE t (x INTEGER)")
    connection.commit()
    return connection, path


def _take_turn_in_thread(path: str) -> tuple[threading.Thread, threading.Event]:
    """A thread with its own connection that takes a turn; the event is set once it has it."""
    inside = threading.Event()

    def take_turn() -> None:
        connection = sqlite3.connect(path)
        with one_writer_at_a_time(connection, path):
            inside.set()
        connection.close()

    thread = threading.Thread(target=take_turn)
    thread.start()
    return thread, inside


def test_a_second_writer_in_the_process_waits_for_the_first(tmp_path):
    connection, path = _database(tmp_path)
    with one_writer_at_a_time(connection, path):
        thread, inside = _take_turn_in_thread(path)
        assert not inside.wait(0.2)  # queued behind this turn
        connection.execute("INSERT INTO t VALUES (1)")
        connection.commit()
    assert inside.wait(WAIT)  # let in when the turn ended
    thread.join(WAIT)
    assert (tmp_path / "portal.sqlite3.writer-lock").exists()


def _hold_turn_in_another_process(path: str, holding, release) -> None:
    connection = sqlite3.connect(path)
    with one_writer_at_a_time(connection, path):
        holding.set()
        release.wait(WAIT)


def test_a_writer_in_another_process_waits_for_the_turn_to_end(tmp_path):
    path = _database(tmp_path)[1]
    context = multiprocessing.get_context("spawn")  # a process of its own, as gunicorn's are
    holding, release = context.Event(), context.Event()
    other = context.Process(target=_hold_turn_in_another_process, args=(path, holding, release))
    other.start()
    try:
        assert holding.wait(30)
        thread, inside = _take_turn_in_thread(path)
        assert not inside.wait(0.3)  # the other process has the turn
        release.set()
        assert inside.wait(WAIT)
        thread.join(WAIT)
    finally:
        release.set()
        other.join(WAIT)
    assert other.exitcode == 0


def test_a_transaction_already_writing_goes_ahead_without_queueing(tmp_path):
    """It holds SQLite's own lock already: queueing behind a writer that waits for that lock
    would be a circle."""
    connection, path = _database(tmp_path)
    writing = sqlite3.connect(path, check_same_thread=False)
    writing.execute("INSERT INTO t VALUES (1)")  # an implicit BEGIN: the transaction writes
    assert writing.in_transaction
    with one_writer_at_a_time(connection, path):  # another writer has the turn
        went_ahead = threading.Event()

        def write_on() -> None:
            with one_writer_at_a_time(writing, path):
                went_ahead.set()

        thread = threading.Thread(target=write_on)
        thread.start()
        assert went_ahead.wait(WAIT)
        thread.join(WAIT)
    writing.commit()


def test_an_error_in_a_turn_ends_it(tmp_path):
    connection, path = _database(tmp_path)
    with pytest.raises(RuntimeError), one_writer_at_a_time(connection, path):
        raise RuntimeError("a statement failed")
    thread, inside = _take_turn_in_thread(path)
    assert inside.wait(WAIT)
    thread.join(WAIT)


def test_a_database_in_memory_queues_threads_without_a_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    connection = sqlite3.connect(":memory:")
    with one_writer_at_a_time(connection, ":memory:"):
        pass
    assert list(tmp_path.iterdir()) == []


# --- Group commit: the submissions waiting for a turn are written together -------------------


class _Refused(Exception):
    """A submission's own failure (as a draft claimed already is)."""


def _insert(value: int) -> Callable[[sqlite3.Connection], int]:
    def write(connection: sqlite3.Connection) -> int:
        row_id = connection.execute("INSERT INTO t VALUES (?)", (value,)).lastrowid
        assert row_id is not None
        return row_id

    return write


def _insert_then_fail(value: int) -> Callable[[sqlite3.Connection], int]:
    def write(connection: sqlite3.Connection) -> int:
        _insert(value)(connection)
        raise _Refused(value)

    return write


def _insert_then_end_the_transaction(value: int) -> Callable[[sqlite3.Connection], int]:
    """As an error SQLite answers by rolling the whole transaction back (a full disk)."""

    def write(connection: sqlite3.Connection) -> int:
        _insert(value)(connection)
        connection.rollback()
        raise sqlite3.OperationalError("database or disk is full")

    return write


class _Commits:
    def __init__(self, fail: bool = False) -> None:
        self.count = 0
        self.fail = fail

    def __call__(self, connection: sqlite3.Connection) -> None:
        self.count += 1
        if self.fail:
            raise sqlite3.OperationalError("disk I/O error")
        connection.commit()


def _write_together(
    path: str, writes: list[Callable[[sqlite3.Connection], int]], commit: _Commits
) -> list[int | BaseException]:
    """Each write from a thread of its own, all queued while this thread holds the turn, then
    let go together: what each thread got back (an id or an error)."""
    outcomes: list[int | BaseException] = [RuntimeError("never ran")] * len(writes)
    holder = sqlite3.connect(path)

    def submit(index: int) -> None:
        connection = sqlite3.connect(path)
        try:
            outcomes[index] = write_in_turn(connection, path, writes[index], commit)
        except BaseException as error:
            outcomes[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=submit, args=(i,)) for i in range(len(writes))]
    with one_writer_at_a_time(holder, path):
        for thread in threads:
            thread.start()
        deadline = time.monotonic() + WAIT
        while sqlite_writer.waiting_to_write(path) < len(writes) and time.monotonic() < deadline:
            time.sleep(0.01)
        assert sqlite_writer.waiting_to_write(path) == len(writes)
    for thread in threads:
        thread.join(WAIT)
    holder.close()
    return outcomes


def _stored(path: str) -> list[int]:
    with contextlib.closing(sqlite3.connect(path)) as connection:
        return sorted(x for (x,) in connection.execute("SELECT x FROM t"))


def test_submissions_queued_for_a_turn_are_written_in_one_transaction_and_one_commit(tmp_path):
    path = _database(tmp_path)[1]
    commit = _Commits()
    outcomes = _write_together(path, [_insert(1), _insert(2), _insert(3)], commit)
    assert commit.count == 1
    assert _stored(path) == [1, 2, 3]
    assert sorted(outcomes) == [1, 2, 3]  # each thread its own row's id
    assert sqlite_writer.waiting_to_write(path) == 0


def test_a_submission_failing_in_a_batch_is_rolled_back_alone(tmp_path):
    path = _database(tmp_path)[1]
    commit = _Commits()
    outcomes = _write_together(path, [_insert(1), _insert_then_fail(2), _insert(3)], commit)
    assert _stored(path) == [1, 3]
    assert commit.count == 1
    refused = [outcome for outcome in outcomes if isinstance(outcome, _Refused)]
    assert [error.args for error in refused] == [(2,)]  # only its own thread hears of it
    assert sorted(o for o in outcomes if isinstance(o, int)) == [1, 2]  # the rows' ids


def test_an_error_ending_the_transaction_fails_every_submission_of_the_batch(tmp_path):
    path = _database(tmp_path)[1]
    commit = _Commits()
    writes = [_insert(1), _insert_then_end_the_transaction(2), _insert(3)]
    outcomes = _write_together(path, writes, commit)
    assert _stored(path) == []
    assert all(isinstance(outcome, sqlite3.OperationalError) for outcome in outcomes)
    assert len({id(outcome) for outcome in outcomes}) == 3  # an error object per thread
    # The next submission is written as usual.
    connection = sqlite3.connect(path)
    assert write_in_turn(connection, path, _insert(4), commit) == 1
    assert _stored(path) == [4]


def test_a_failed_commit_fails_every_submission_of_the_batch(tmp_path):
    path = _database(tmp_path)[1]
    outcomes = _write_together(path, [_insert(1), _insert(2)], _Commits(fail=True))
    assert all(isinstance(outcome, sqlite3.OperationalError) for outcome in outcomes)
    assert _stored(path) == []
    assert sqlite_writer.waiting_to_write(path) == 0


def test_a_submission_alone_is_written_without_a_savepoint(tmp_path):
    path = _database(tmp_path)[1]
    connection = sqlite3.connect(path)
    statements: list[str] = []
    connection.set_trace_callback(statements.append)
    commit = _Commits()
    assert write_in_turn(connection, path, _insert(1), commit) == 1
    assert commit.count == 1
    assert not any("SAVEPOINT" in statement for statement in statements)
    with pytest.raises(_Refused):
        write_in_turn(connection, path, _insert_then_fail(2), commit)
    assert not connection.in_transaction
    assert _stored(path) == [1]


def test_submissions_to_different_databases_are_never_written_together(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    paths = [_database(tmp_path / "a")[1], _database(tmp_path / "b")[1]]
    commit = _Commits()
    holder = sqlite3.connect(paths[0])

    def submit(path: str) -> None:
        connection = sqlite3.connect(path)
        write_in_turn(connection, path, _insert(len(_stored(path)) + 7), commit)
        connection.close()

    threads = [threading.Thread(target=submit, args=(path,)) for path in paths]
    with one_writer_at_a_time(holder, paths[0]):
        for thread in threads:
            thread.start()
        deadline = time.monotonic() + WAIT
        while time.monotonic() < deadline and not all(
            sqlite_writer.waiting_to_write(path) == 1 for path in paths
        ):
            time.sleep(0.01)
    for thread in threads:
        thread.join(WAIT)
    assert [_stored(path) for path in paths] == [[7], [7]]
    assert commit.count == 2

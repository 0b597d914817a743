"""Submissions to a SQLite database take turns: the threads of a process, and the processes
sharing the file, queue for one writer at a time (portal/responses/storing/sqlite_writer.py).
A transaction already writing never queues, so nothing waits in a circle."""

from __future__ import annotations

import multiprocessing
import sqlite3
import threading
from pathlib import Path

import pytest

from portal.responses.storing.sqlite_writer import one_writer_at_a_time

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

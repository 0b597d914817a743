"""A submission on SQLite: a statement per table, sent straight to the driver, in the
submission's turn, in one transaction with the other submissions of the process waiting then,
each in a savepoint of its own (portal/responses/storing/sqlite_writer.py)."""

from __future__ import annotations

import functools
import json
import sqlite3
from typing import Any

from portal.driver import (
    DriverCursor,
    as_sqlalchemy_error,
    bind_conversion,
    driver_connection,
)
from portal.extensions import db
from portal.responses import tallies
from portal.responses.models import Answer, Response
from portal.responses.storing.sqlite_writer import write_in_turn
from portal.responses.storing.submission import DraftTaken, InvitationTaken, Submission

# SQLite's statements go straight to the driver, as SQL written once. Through SQLAlchemy's
# execution (a compiled statement's parameters processed per row, a result object for each)
# a submission took 3.1 ms of CPU in process against 2.3 ms this way, and every step between
# two statements is time the database's one write lock is held while other threads of the
# process may hold the GIL (bench/results.md). The values each column's type converts (dates,
# the channel, numbers) are converted by that type's own bind processor, so the stored text is
# what SQLAlchemy writes and reads back.
_INSERT_RESPONSE = (
    "INSERT INTO response (consultation_id, snapshot_id, reference, submitted_at, channel, "
    "entered_by_id, distribution_channel_id, invitation_id, profile_district, profile_age_band, "
    "panel_invited) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
# The columns, in the statement's order, read from the statement itself so the two agree.
_RESPONSE_COLUMNS = tuple(
    name.strip() for name in _INSERT_RESPONSE.split("(", 1)[1].split(")", 1)[0].split(",")
)
_ANSWER_COLUMNS = ("question_id", "option_id", "text", "number", "statement_id", "rank")
# The answers go in one statement, as one JSON array of rows in _ANSWER_COLUMNS' order (as
# PostgreSQL's statement takes them), not a statement a row as executemany sends them: each
# statement hands the GIL back and waits for it again while holding the database's write lock,
# which other submissions queue for (bench/results.md). Numbers are floats by then, as SQLite
# stores them.
_INSERT_ANSWERS = """
INSERT INTO answer (response_id, question_id, option_id, text, number, statement_id, rank)
SELECT ?, json_extract(value, '$[0]'), json_extract(value, '$[1]'),
    json_extract(value, '$[2]'), json_extract(value, '$[3]'), json_extract(value, '$[4]'),
    json_extract(value, '$[5]')
FROM json_each(?) ORDER BY key"""
# A concurrent submission of the same draft (or invitation) waits for the database's write
# lock, then finds it claimed and claims nothing.
_CLAIM_DRAFT = (
    "UPDATE response_draft SET response_id = ?, answers = '{}', updated_at = ? "
    "WHERE id = ? AND response_id IS NULL"
)
_CLAIM_INVITATION = (
    "UPDATE invitation SET response_id = ?, responded_at = ? WHERE id = ? AND responded_at IS NULL"
)
_TYPED_ANSWERS = (
    "SELECT id, question_id, text FROM answer WHERE response_id = ? AND text IS NOT NULL"
)
_INSERT_FLAG = (
    "INSERT INTO safeguarding_flag (answer_id, consultation_id, matched, flagged_at, note) "
    "VALUES (?, ?, ?, ?, ?)"
)
_INSERT_GROUP = "INSERT INTO response_group (response_id, group_id) VALUES (?, ?)"
# The tallies, counted from the answers just inserted, as PostgreSQL's statement counts them
# (the WHERE clause also settles SQLite's parsing of INSERT ... SELECT ... ON CONFLICT).
_COUNT_ANSWERS = """
INSERT INTO answer_tally (question_id, option_id, statement_id, rank, shard, count)
SELECT question_id, COALESCE(option_id, 0), COALESCE(statement_id, 0), COALESCE(rank, 0), ?,
    count(*)
FROM answer WHERE response_id = ?
GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4
ON CONFLICT (question_id, option_id, statement_id, rank, shard)
DO UPDATE SET count = answer_tally.count + excluded.count"""
_COUNT_QUESTIONS = """
INSERT INTO question_tally (question_id, shard, respondents)
SELECT DISTINCT question_id, ?, 1 FROM answer WHERE response_id = ? ORDER BY 1
ON CONFLICT (question_id, shard) DO UPDATE SET respondents = question_tally.respondents + 1"""
_COUNT_RESPONSE = """
INSERT INTO response_tally (consultation_id, snapshot_id, shard, count) VALUES (?, ?, ?, 1)
ON CONFLICT (consultation_id, snapshot_id, shard)
DO UPDATE SET count = response_tally.count + 1"""
_COUNT_HOUR = """
INSERT INTO hourly_tally (consultation_id, hour, channel, shard, count, linked)
VALUES (?, ?, ?, ?, 1, ?)
ON CONFLICT (consultation_id, hour, channel, shard)
DO UPDATE SET count = hourly_tally.count + 1, linked = hourly_tally.linked + excluded.linked"""


# Each table's conversions, worked out once (a Table and a dialect are hashable).
_bind_conversion = functools.lru_cache(maxsize=8)(bind_conversion)


def store(submission: Submission) -> int:
    """The submission written in its turn, committed (with the others waiting then)."""
    # Every value is converted before the submission's turn to write comes, so the turn is
    # only the statements and the commit.
    response, dialect = submission.response, db.engine.dialect
    row = _bind_conversion(dialect, Response.__table__, _RESPONSE_COLUMNS)(
        [response[name] for name in _RESPONSE_COLUMNS]
    )
    answer_row = _bind_conversion(dialect, Answer.__table__, _ANSWER_COLUMNS)
    answers_json = json.dumps(
        [
            answer_row([answer.get(name) for name in _ANSWER_COLUMNS])
            for answer in submission.answers
        ],
        allow_nan=False,
        separators=(",", ":"),
    )
    hour = _bind_conversion(dialect, tallies.hourly_tally, ("hour",))(
        [tallies.hour_start(response["submitted_at"])]
    )[0]
    connection = driver_connection()
    try:
        response_id = write_in_turn(
            connection,
            db.engine.url.database or "",
            lambda on: _write(on, submission, row, answers_json, hour),
            commit,
        )
    except BaseException:
        db.session.rollback()
        raise
    # The session then ends the transaction the driver has committed (a commit with none open
    # does nothing in sqlite3), outside the turn: its own work is not the database's.
    db.session.commit()
    return response_id


def commit(connection: sqlite3.Connection) -> None:
    """Commit the driver connection's transaction, raising its errors as SQLAlchemy's."""
    try:
        connection.commit()
    except sqlite3.Error as error:
        raise as_sqlalchemy_error(error, "COMMIT", (), connection) from error


def _write(
    connection: sqlite3.Connection,
    submission: Submission,
    row: tuple,
    answers_json: str,
    hour: Any,
) -> int:
    """The statements of one submission on SQLite."""
    response = submission.response
    submitted_at = row[_RESPONSE_COLUMNS.index("submitted_at")]  # as every datetime is stored
    channel = row[_RESPONSE_COLUMNS.index("channel")]
    cursor = DriverCursor(connection)
    try:
        response_id = cursor.execute(_INSERT_RESPONSE, row).lastrowid
        assert response_id is not None  # an INSERT's row id
        claimed = cursor.execute(_CLAIM_DRAFT, (response_id, submitted_at, submission.draft_id))
        if claimed.rowcount != 1:
            raise DraftTaken()
        if submission.invitation_to_claim is not None:
            linked_response = response_id if response["invitation_id"] else None
            used = cursor.execute(
                _CLAIM_INVITATION,
                (linked_response, submitted_at, submission.invitation_to_claim),
            )
            if used.rowcount != 1:
                raise InvitationTaken()
        cursor.execute(_INSERT_ANSWERS, (response_id, answers_json))
        if submission.flags:
            matched = {(flag.question_id, flag.text): flag.matched for flag in submission.flags}
            typed = cursor.execute(_TYPED_ANSWERS, (response_id,)).fetchall()
            cursor.executemany(
                _INSERT_FLAG,
                [
                    (
                        answer_id,
                        response["consultation_id"],
                        matched[(question_id, text)],
                        submitted_at,
                        "",
                    )
                    for answer_id, question_id, text in typed
                    if (question_id, text) in matched
                ],
            )
        if submission.group_ids:
            cursor.executemany(
                _INSERT_GROUP,
                [(response_id, group_id) for group_id in submission.group_ids],
            )
        shard = response_id % tallies.SHARDS
        cursor.execute(_COUNT_ANSWERS, (shard, response_id))
        cursor.execute(_COUNT_QUESTIONS, (shard, response_id))
        cursor.execute(
            _COUNT_RESPONSE, (response["consultation_id"], response["snapshot_id"], shard)
        )
        linked = 1 if response["distribution_channel_id"] is not None else 0
        cursor.execute(_COUNT_HOUR, (response["consultation_id"], hour, channel, shard, linked))
    finally:
        cursor.close()
    return response_id

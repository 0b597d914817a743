"""Writing one submitted response: the response row, its answers, the claim on the draft (and
on a panel invitation), safeguarding flags, panel groups and the running tallies, committed.

One path in SQLAlchemy Core for every database (`store_with_core`), whose tallies are counted
by the one rule in portal/responses/tallies.py (count_response). PostgreSQL, the production
database, sends the same writes as one statement instead (postgresql.py), for the measured
reason its docstring gives.

SQLite, the embedded default, takes the Core path with its own write lock, waited for through
its busy timeout: no queue or group commit of the portal's own. At county scale (10,000
responses, 50 submissions a second) a submission's p95 was 26 ms without them against 18 ms
with them (medians of 3 alternating runs, 2026-12-06): nobody waits at that rate. Sent flat
out by 8 clients, three times that rate, SQLite ran at 0.54 of the bare insert's rate without
them against 0.92 with them; a site expecting that load runs PostgreSQL.

A group commit over this Core path alone does not bring that back. Tried again on 2026-12-06
(the submissions waiting in a process written in savepoints of one transaction, the processes
queued on a flock), the 8 clients' SQLite submissions ran at 0.46 of the bare insert's rate
(rounds 0.40-0.51) against 0.48 (0.38-0.66) without, and at 0.43 with the flock queue alone:
batches of 1-3 formed, but the turn's holder spends its time in SQLAlchemy's Python for each
statement, sharing the GIL with its process's other threads, not in waiting or in commits.
The 0.92 came with the statements sent straight to the sqlite3 driver and that group commit
(portal/responses/storing/sqlite.py and sqlite_writer.py, and portal/driver.py, as at 93abed3),
removed in 6f9762d. The 0.54 above and the 0.48 here are separate runs of the same setup.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa

from portal.extensions import db
from portal.responses import tallies
from portal.responses.models import Answer, Response, ResponseDraft, response_group
from portal.responses.storing import postgresql
from portal.responses.storing.submission import DraftTaken, Flag, InvitationTaken, Submission

__all__ = ["DraftTaken", "Flag", "InvitationTaken", "Submission", "store_response"]

ANSWER_COLUMNS = ("question_id", "option_id", "text", "number", "statement_id", "rank")

# Tables of packages above responses, written by name: the submission stores their rows in its
# own transaction without importing them (portal/safeguarding and portal/panel sit above,
# so the packages import one way).
_flag = sa.table(
    "safeguarding_flag",
    sa.column("answer_id", sa.Integer),
    sa.column("consultation_id", sa.Integer),
    sa.column("matched", sa.String),
    sa.column("flagged_at", sa.DateTime),
    sa.column("note", sa.Text),
)
_invitation = sa.table(
    "invitation",
    sa.column("id", sa.Integer),
    sa.column("response_id", sa.Integer),
    sa.column("responded_at", sa.DateTime),
)


def store_response(submission: Submission) -> int:
    """Insert the response, claim the draft and any panel invitation, insert the answers, flag
    the answers in `flags`, keep the member's panel groups and count it all in, and commit.
    Returns the response's id.

    Raises DraftTaken or InvitationTaken, having written nothing, when another submission
    claimed the draft or the invitation first; the caller's transaction must then be rolled
    back (as after any error).
    """
    if db.engine.dialect.name == "postgresql":
        return postgresql.store(submission)
    return store_with_core(submission)


def store_with_core(submission: Submission) -> int:
    """The submission as a statement per table in the session's transaction, committed.

    A second submission of the same draft waits for the first's lock on the draft's row (on
    SQLite, for the database's one write lock, through its busy timeout), then finds the draft
    claimed and writes nothing.
    """
    response = submission.response
    submitted_at = response["submitted_at"]
    connection = db.session.connection()
    inserted = connection.execute(sa.insert(Response.__table__).values(response))
    assert inserted.inserted_primary_key is not None  # an INSERT's
    response_id: int = inserted.inserted_primary_key[0]
    draft = ResponseDraft.__table__.c
    claimed = connection.execute(
        sa.update(ResponseDraft.__table__)
        .where(draft.id == submission.draft_id, draft.response_id.is_(None))
        .values(response_id=response_id, answers={}, updated_at=submitted_at)
    )
    if claimed.rowcount != 1:
        raise DraftTaken()
    if submission.invitation_to_claim is not None:
        used = connection.execute(
            sa.update(_invitation)
            .where(
                _invitation.c.id == submission.invitation_to_claim,
                _invitation.c.responded_at.is_(None),
            )
            .values(
                response_id=response_id if response["invitation_id"] else None,
                responded_at=submitted_at,
            )
        )
        if used.rowcount != 1:
            raise InvitationTaken()
    answers = [
        {"response_id": response_id, **{name: answer.get(name) for name in ANSWER_COLUMNS}}
        for answer in submission.answers
    ]
    if answers:
        connection.execute(sa.insert(Answer.__table__), answers)
    if submission.flags:
        _flag_answers(response_id, response["consultation_id"], submitted_at, submission.flags)
    if submission.group_ids:
        connection.execute(
            sa.insert(response_group),
            [{"response_id": response_id, "group_id": group} for group in submission.group_ids],
        )
    tallies.count_response(
        response_id,
        response["consultation_id"],
        response["snapshot_id"],
        submitted_at,
        response["channel"],
        response["distribution_channel_id"] is not None,
        submission.answers,
    )
    db.session.commit()
    return response_id


def _flag_answers(
    response_id: int, consultation_id: int, flagged_at: datetime, flags: Sequence[Flag]
) -> None:
    """Flag the stored answers whose (question, text) the flags name: several identical texts
    are each flagged, as each holds the words."""
    matched = {(flag.question_id, flag.text): flag.matched for flag in flags}
    answer = Answer.__table__.c
    typed = db.session.connection().execute(
        sa.select(answer.id, answer.question_id, answer.text).where(
            answer.response_id == response_id, answer.text.is_not(None)
        )
    )
    rows = [
        {
            "answer_id": answer_id,
            "consultation_id": consultation_id,
            "matched": matched[(question_id, text)],
            "flagged_at": flagged_at,
            "note": "",
        }
        for answer_id, question_id, text in typed
        if (question_id, text) in matched
    ]
    if rows:
        db.session.connection().execute(sa.insert(_flag), rows)

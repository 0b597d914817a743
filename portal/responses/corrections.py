"""Finding, deleting and correcting stored responses, with the running tallies moved in step
(portal/responses/tallies.py), and `response_changed` sent in the same transaction, so what
reads the stored responses from above (the results index, portal/reporting) can follow without
the domain calling up into reporting."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from blinker import Namespace

from portal.extensions import db
from portal.responses import tallies
from portal.responses.models import Answer, Response, ResponseDraft, response_group

# Every row names every column, so one multi-row INSERT serves all question types.
# Sent with the consultation id and response id before a stored response's answers are changed
# or the response deleted, inside the transaction doing it.
response_changed = Namespace().signal("response-changed")

EMPTY_ANSWER = {"option_id": None, "text": None, "number": None, "statement_id": None, "rank": None}


def _answer_rows(response_id: int) -> list[dict[str, Any]]:
    return [
        dict(row._mapping)
        for row in db.session.execute(
            sa.select(Answer.question_id, Answer.option_id, Answer.statement_id, Answer.rank).where(
                Answer.response_id == response_id
            )
        )
    ]


def _count(response: Response, answers: list[dict[str, Any]], sign: int) -> None:
    tallies.count_response(
        response.id,
        response.consultation_id,
        response.snapshot_id,
        response.submitted_at,
        response.channel,
        response.distribution_channel_id is not None,
        answers,
        sign,
    )


def find_response(reference: str) -> Response | None:
    return db.session.scalar(sa.select(Response).where(Response.reference == reference))


def delete_response(response: Response) -> None:
    """Remove a response (a duplicate keyed in twice, a test) and take it off every tally,
    in one transaction."""
    _count(response, _answer_rows(response.id), -1)
    response_changed.send(response.consultation_id, response_id=response.id)
    db.session.execute(sa.delete(Answer).where(Answer.response_id == response.id))
    db.session.execute(sa.delete(response_group).where(response_group.c.response_id == response.id))
    db.session.execute(
        sa.update(ResponseDraft)
        .where(ResponseDraft.response_id == response.id)
        .values(response_id=None)
        .execution_options(synchronize_session=False)
    )
    db.session.delete(response)
    db.session.commit()


def correct_answers(response: Response, answers: list[dict[str, Any]]) -> None:
    """Replace a response's answers (an officer correcting a keyed-in paper response), moving
    the tallies from the old answers to the new in the same transaction. `answers` are rows as
    `submit_response` stores them: question_id and option_id, text, number, statement_id or
    rank."""
    _count(response, _answer_rows(response.id), -1)
    response_changed.send(response.consultation_id, response_id=response.id)
    db.session.execute(sa.delete(Answer).where(Answer.response_id == response.id))
    rows = [{**EMPTY_ANSWER, **answer, "response_id": response.id} for answer in answers]
    if rows:
        db.session.execute(sa.insert(Answer.__table__), rows)
    # Counted back in as a whole response: its snapshot and hour come off and go back on.
    _count(response, rows, 1)
    db.session.commit()

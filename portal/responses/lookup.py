"""One response found by the reference its respondent quotes, read back question by question,
corrected or withdrawn by an officer.

A response is stored as Answer rows; to read it as the respondent gave it (and to route it as
their journey did) its rows are turned back into the answers a draft holds (`stored_answers`),
the inverse of each question type's `answer_rows`. A correction and a withdrawal go through
portal/responses/corrections.py, which moves the running totals and tells the results index,
and each is written to the audit log in the same transaction.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from portal.audit import add_audit_entry
from portal.clock import UK, utcnow
from portal.consultations.models import Consultation, Question, QuestionType
from portal.consultations.question_types import ResultsKind, Stored, kind_of
from portal.consultations.service import consultation_with_questions
from portal.extensions import db
from portal.i18n import ENGLISH
from portal.responses import corrections
from portal.responses.journey import Journey
from portal.responses.models import Answer, ReadOnlyDraft, Response
from portal.responses.service import format_reference, parse_reference

# Why a response is withdrawn, as the audit log records it: fixed words only, because the
# audit log is append-only and a typed reason invites the respondent's name or email address,
# which could then never be erased. The form shows them in the officer's language; the audit
# log records them in English.
WITHDRAWAL_REASONS = {
    "asked": _l("The respondent asked for it to be removed"),
    "duplicate": _l("It was keyed in twice"),
    "test": _l("It was a test"),
}


@dataclass(frozen=True)
class AnswerShown:
    """One question of the consultation as this response met it."""

    question: Question
    asked: bool
    lines: list[str]  # the answer as given; empty when asked and not answered


@dataclass(frozen=True)
class FoundResponse:
    response: Response
    consultation: Consultation
    answers: list[AnswerShown]
    stored: dict[str, Stored]

    @property
    def reference(self) -> str:
        return format_reference(self.response.reference)

    @property
    def sent_uk(self) -> str:
        """When it was sent, in UK time: "5 December 2026 at 2:07pm"."""
        moment = self.response.submitted_at.replace(tzinfo=UTC).astimezone(UK)
        hour = moment.hour % 12 or 12
        return f"{moment.day} {moment:%B %Y} at {hour}:{moment:%M}{moment:%p}".replace(
            "AM", "am"
        ).replace("PM", "pm")

    def question(self, key: str) -> AnswerShown | None:
        return next((shown for shown in self.answers if shown.question.key == key), None)


def subject(response: Response) -> str:
    """How the audit log names a response: by the reference its respondent was shown."""
    return f"response:{format_reference(response.reference)}"


def find(text: str) -> Response | None:
    """The response whose reference is `text` as typed (any case, with or without the hyphen,
    spaces around it): exact matches only."""
    reference = parse_reference(text)
    return corrections.find_response(reference) if reference else None


def stored_answers(consultation: Consultation, response: Response) -> dict[str, Stored]:
    """The response's answers as a draft held them, by question key: the inverse of each
    question type's `answer_rows`."""
    rows: dict[int, list[Answer]] = defaultdict(list)
    for row in db.session.scalars(
        sa.select(Answer).where(Answer.response_id == response.id).order_by(Answer.id)
    ):
        rows[row.question_id].append(row)
    stored: dict[str, Stored] = {}
    for question in consultation.questions:
        given = _stored(question, rows.get(question.id, []))
        if given is not None:
            stored[question.key] = given
    return stored


def _stored(question: Question, rows: list[Answer]) -> Stored | None:
    if not rows:
        return None
    value_of = {option.id: option.value for option in question.options}
    results = kind_of(question).results
    if question.type == QuestionType.MATRIX:
        return {
            "rows": {
                value_of[row.statement_id]: value_of[row.option_id]
                for row in rows
                if row.statement_id in value_of and row.option_id in value_of
            }
        }
    if question.type == QuestionType.RANKING:
        ranked = sorted((row for row in rows if row.option_id in value_of), key=_rank)
        return {"ranked": [value_of[row.option_id] for row in ranked if row.option_id]}
    if results == ResultsKind.CHOICES:
        stored: Stored = {
            "selected": [value_of[row.option_id] for row in rows if row.option_id in value_of]
        }
        other = next((row.text for row in rows if row.text is not None), None)
        if other is not None:
            stored["other"] = other
        return stored
    if results == ResultsKind.NUMBERS:
        number = rows[0].number
        return {"number": format(Decimal(number).normalize(), "f")} if number is not None else None
    if results == ResultsKind.DATES:
        return {"date": rows[0].text} if rows[0].text else None
    return {"text": rows[0].text} if rows[0].text is not None else None


def _rank(row: Answer) -> int:
    return row.rank or 0


def _journey(
    consultation: Consultation, response: Response, stored: dict[str, Any]
) -> Journey[ReadOnlyDraft]:
    draft = ReadOnlyDraft(
        id=0,
        answers=stored,
        response_id=response.id,
        channel=response.channel,
        entered_by_id=response.entered_by_id,
        distribution_channel_id=response.distribution_channel_id,
        invitation_id=response.invitation_id,
    )
    return Journey(consultation, draft)


def _asked_in_version(response: Response) -> set[int]:
    """The ids of the questions in the version of the consultation the response answered."""
    return {
        question["id"]
        for page in response.snapshot.content["pages"]
        for question in page["questions"]
    }


def read(response: Response) -> FoundResponse:
    """The response question by question: each question asked with the answer as given, and
    the questions routing took it past (or added since it was sent) as not asked."""
    consultation = consultation_with_questions(response.consultation.slug)
    assert consultation is not None  # a response's consultation is never deleted
    stored = stored_answers(consultation, response)
    journey = _journey(consultation, response, stored)
    routed_in = {question.id for question in journey.answered_questions()}
    asked_ids = routed_in & _asked_in_version(response)
    answers = []
    for question in consultation.questions:
        kind = kind_of(question)
        if not kind.asks:
            continue
        asked = question.id in asked_ids
        lines = kind.display(question, stored.get(question.key)) if asked else []
        answers.append(AnswerShown(question, asked, lines))
    return FoundResponse(response, consultation, answers, stored)


def correct(found: FoundResponse, question: Question, answer: Stored | None, by: Any) -> int:
    """Replace the answer to one question (what the respondent asked, or a keying error), in
    one transaction with the running totals and the audit entry. Answers to questions the new
    answer routes past are removed, as the journey would have; returns how many were."""
    answers = {**found.stored}
    if answer is None:
        answers.pop(question.key, None)
    else:
        answers[question.key] = answer
    journey = _journey(found.consultation, found.response, answers)
    kept = journey.answers_that_apply(answers)
    journey = _journey(found.consultation, found.response, kept)
    rows = [
        {"question_id": asked.id, **row}
        for asked, kind, stored in journey.answered()
        if stored is not None
        for row in kind.answer_rows(asked, stored)
    ]
    removed = sorted(set(found.stored) - set(kept) - {question.key})
    detail = f"Changed the answer to \u201c{question.text}\u201d"  # kept in English: the log
    if removed:
        detail += f"; removed the answers to {len(removed)} questions it now routes past"
    add_audit_entry(by, "corrected response", subject(found.response), detail)
    corrections.correct_answers(found.response, rows)  # commits, with the audit entry
    return len(removed)


def withdraw(response: Response, reason: str, by: Any) -> None:
    """Erase the response (at its respondent's request, a duplicate, a test): its answers and
    it go, taken off every running total and the results index, and the audit log keeps its
    reference and which of WITHDRAWAL_REASONS it was."""
    # The panel sits above responses (docs: layers), hence the import here, as in
    # service._invited_profile. A response whose consultation keeps no link to the member
    # cannot be traced to an invitation, so the rates still count its member as responded.
    from portal.panel import invitations

    with force_locale(ENGLISH):
        words = str(WITHDRAWAL_REASONS[reason])
    add_audit_entry(by, "withdrew response", subject(response), f"Reason: {words}")
    invitations.withdraw_response(response.id, utcnow())
    corrections.delete_response(response)  # commits, with the audit entry

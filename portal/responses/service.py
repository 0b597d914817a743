"""The respondent's journey: a draft kept on the server, page by page, then one submission.

Rules held here:
- answers live in a ResponseDraft between pages, so Back and Change never lose anything;
- a submission is one transaction: the response, all its answers and the draft's claim, or none;
- a draft is submitted at most once, even when the same submission arrives twice at once.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask_wtf import FlaskForm

from portal.consultations.models import Consultation, Page, Question
from portal.consultations.question_types import Stored, kind_of
from portal.consultations.service import current_snapshot
from portal.extensions import db
from portal.responses.models import Answer, Response, ResponseDraft

# No vowels (so no words), no 0/O, 1/I/L or U/V look-alikes: easy to read out over the phone.
REFERENCE_ALPHABET = "BCDFGHJKMNPQRSTWXZ23456789"
REFERENCE_LENGTH = 10
UK = ZoneInfo("Europe/London")


class ConsultationUnavailable(Exception):
    """The consultation is not open for responses today."""


class ResponseIncomplete(Exception):
    def __init__(self, page: Page) -> None:
        super().__init__(f"page {page.position} is incomplete")
        self.page = page


class AlreadySubmitted(Exception):
    def __init__(self, reference: str) -> None:
        super().__init__(reference)
        self.reference = reference


def utcnow() -> datetime:
    """Naive UTC, as stored in every datetime column."""
    return datetime.now(UTC).replace(tzinfo=None)


def uk_today(now: datetime | None = None) -> date:
    """Opening and closing dates are UK calendar days."""
    moment = (now or utcnow()).replace(tzinfo=UTC)
    return moment.astimezone(UK).date()


def new_reference() -> str:
    while True:
        reference = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(REFERENCE_LENGTH))
        taken = db.session.scalar(sa.select(Response.id).where(Response.reference == reference))
        if taken is None:
            return reference


def format_reference(reference: str) -> str:
    """Shown in two groups of five, which people copy and read aloud more accurately."""
    return f"{reference[:5]}-{reference[5:]}"


@dataclass
class Journey:
    consultation: Consultation
    draft: ResponseDraft

    @property
    def pages(self) -> list[Page]:
        return self.consultation.pages

    def page(self, number: int) -> Page | None:
        if 1 <= number <= len(self.pages):
            return self.pages[number - 1]
        return None

    def stored(self, question: Question) -> Stored | None:
        answer: Stored | None = self.draft.answers.get(question.key)
        return answer

    def page_is_complete(self, page: Page) -> bool:
        return all(kind_of(q).is_valid_stored(q, self.stored(q)) for q in page.questions)

    def first_incomplete_page(self) -> Page | None:
        return next((page for page in self.pages if not self.page_is_complete(page)), None)

    def summary(self) -> list[tuple[Page, Question, list[str]]]:
        return [
            (page, question, kind_of(question).display(question, self.stored(question)))
            for page in self.pages
            for question in page.questions
        ]


def ensure_open(consultation: Consultation, now: datetime | None = None) -> None:
    if not consultation.is_open_on(uk_today(now)):
        raise ConsultationUnavailable(consultation.slug)


def start_draft(consultation: Consultation, now: datetime, lifetime: timedelta) -> ResponseDraft:
    draft = ResponseDraft(
        token=secrets.token_urlsafe(32),
        consultation_id=consultation.id,
        answers={},
        created_at=now,
        updated_at=now,
        expires_at=now + lifetime,
    )
    db.session.add(draft)
    db.session.commit()
    return draft


def find_draft(
    consultation: Consultation, token: str | None, now: datetime
) -> ResponseDraft | None:
    """The respondent's unexpired draft for this consultation, submitted or not."""
    if not token:
        return None
    return db.session.scalar(
        sa.select(ResponseDraft).where(
            ResponseDraft.token == token,
            ResponseDraft.consultation_id == consultation.id,
            ResponseDraft.expires_at > now,
        )
    )


def page_form(journey: Journey, page: Page, formdata: Any = None) -> FlaskForm:
    """A WTForms form for one page, pre-filled from the draft when not posted.

    Only the questions on this page become fields, so a posted name for any other question, or
    an invented one, is never read.
    """
    fields: dict[str, Any] = {}
    initial: dict[str, Any] = {}
    for question in page.questions:
        kind = kind_of(question)
        fields.update(kind.fields(question))
        initial.update(kind.form_data(question, journey.stored(question)))
    form_class = type("PageForm", (FlaskForm,), fields)
    form: FlaskForm = form_class(formdata=formdata, data=initial if formdata is None else None)
    return form


def save_page(
    journey: Journey, page: Page, form: FlaskForm, now: datetime, lifetime: timedelta
) -> None:
    """Keep this page's validated answers in the draft; the draft's life restarts."""
    answers = dict(journey.draft.answers)
    for question in page.questions:
        stored = kind_of(question).to_stored(question, form)
        if stored is None:
            answers.pop(question.key, None)
        else:
            answers[question.key] = stored
    journey.draft.answers = answers  # a new dict, so the JSON column is seen as changed
    journey.draft.updated_at = now
    journey.draft.expires_at = now + lifetime
    db.session.commit()


def next_page_number(journey: Journey, page: Page) -> int | None:
    """The page after this one, or None when the next step is checking answers."""
    return page.position + 1 if page.position < len(journey.pages) else None


def submit_response(journey: Journey, now: datetime) -> Response:
    """Store the draft as a response with all its answers, in one transaction, exactly once."""
    draft = journey.draft
    if draft.response_id is not None:
        raise AlreadySubmitted(draft.response.reference if draft.response else "")
    incomplete = journey.first_incomplete_page()
    if incomplete is not None:
        raise ResponseIncomplete(incomplete)

    consultation = journey.consultation
    try:
        snapshot = current_snapshot(consultation)
        response = Response(
            consultation_id=consultation.id,
            snapshot_id=snapshot.id,
            reference=new_reference(),
            submitted_at=now,
        )
        db.session.add(response)
        db.session.flush()
        # Claim the draft. A concurrent submission of the same draft either waits for this row
        # lock (PostgreSQL) or for the database lock (SQLite), then finds response_id set.
        claimed = db.session.execute(
            sa.update(ResponseDraft)
            .where(ResponseDraft.id == draft.id, ResponseDraft.response_id.is_(None))
            .values(response_id=response.id, answers={}, updated_at=now)
            .execution_options(synchronize_session=False)
        )
        if claimed.rowcount != 1:  # type: ignore[attr-defined]
            db.session.rollback()
            db.session.refresh(draft)
            raise AlreadySubmitted(draft.response.reference if draft.response else "")
        rows = [
            {
                "response_id": response.id,
                "question_id": question.id,
                "option_id": option_id,
                "text": text,
            }
            for _, question, _ in journey.summary()
            if (stored := journey.stored(question)) is not None
            for option_id, text in kind_of(question).answer_rows(question, stored)
        ]
        if rows:
            db.session.execute(sa.insert(Answer), rows)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    db.session.refresh(draft)
    return response

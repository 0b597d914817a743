"""The respondent's journey: a draft kept on the server, page by page, then one submission.

Rules held here:
- answers live in a ResponseDraft between pages, so Back and Change never lose anything;
- a submission is one transaction: the response, all its answers and the draft's claim, or none;
- a draft is submitted at most once, even when the same submission arrives twice at once.
"""

from __future__ import annotations

import secrets
import weakref
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from flask_wtf import FlaskForm
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.attributes import set_committed_value

from portal.clock import uk_today
from portal.codes import REFERENCE_ALPHABET, random_code
from portal.consultations.models import Consultation, Page, PanelLink, Question
from portal.consultations.question_types import kind_of
from portal.consultations.service import (
    JOURNEY_COLUMNS,
    consultation_for_journey,
    consultation_from_row,
    current_snapshot_id,
    forget_snapshot_ids,
    with_cached_structure,
)
from portal.extensions import db
from portal.forms import CsrfForm
from portal.responses import storing
from portal.responses.events import submitting
from portal.responses.journey import Journey
from portal.responses.models import (
    READ_ONLY_DRAFT_COLUMNS,
    ReadOnlyDraft,
    Response,
    ResponseChannel,
    ResponseDraft,
)

REFERENCE_LENGTH = 10


class ConsultationUnavailable(Exception):
    """The consultation is not open for responses today."""


class ResponseIncomplete(Exception):
    def __init__(self, page: Page) -> None:
        super().__init__(f"page {page.position} is incomplete")
        self.page = page


class InvitationUsed(Exception):
    """A panel member's personal link has already brought a response."""


class AlreadySubmitted(Exception):
    def __init__(self, reference: str) -> None:
        super().__init__(reference)
        self.reference = reference


def new_reference() -> str:
    """26^10 (about 1.4 x 10^14) possibilities; the unique constraint catches the rare clash."""
    return random_code(REFERENCE_LENGTH)


def format_reference(reference: str) -> str:
    """Shown in two groups of five, which people copy and read aloud more accurately."""
    return f"{reference[:5]}-{reference[5:]}"


def parse_reference(text: str) -> str | None:
    """A reference as a respondent or officer types it ("63sbm-fqwtt ", "63SBMFQWTT") as it is
    stored, or None when it cannot be one."""
    reference = "".join(text.split()).replace("-", "").upper()
    if len(reference) != REFERENCE_LENGTH or not set(reference) <= set(REFERENCE_ALPHABET):
        return None
    return reference


def ensure_open(consultation: Consultation, now: datetime | None = None) -> None:
    if not consultation.is_open_on(uk_today(now)):
        raise ConsultationUnavailable(consultation.slug)


def start_draft(
    consultation: Consultation,
    now: datetime,
    lifetime: timedelta,
    channel: ResponseChannel = ResponseChannel.ONLINE,
    entered_by_id: int | None = None,
    distribution_channel_id: int | None = None,
    invitation_id: int | None = None,
) -> ResponseDraft:
    token = secrets.token_urlsafe(32)
    draft = ResponseDraft(
        token=token,
        consultation_id=consultation.id,
        answers={},
        created_at=now,
        updated_at=now,
        expires_at=now + lifetime,
        channel=channel,
        entered_by_id=entered_by_id,
        distribution_channel_id=distribution_channel_id,
        invitation_id=invitation_id,
    )
    db.session.add(draft)
    _commit_keeping(draft, token=token)  # the caller reads it, for the respondent's cookie
    return draft


def _commit_keeping(draft: ResponseDraft, **written: Any) -> None:
    """Commit, keeping the draft's columns just written as loaded. The commit expires the
    draft; what the request reads of it next would otherwise be read back in a second
    transaction, whose closing ROLLBACK also made psycopg drop every statement it had
    prepared on the connection."""
    db.session.commit()
    for key, value in written.items():
        set_committed_value(draft, key, value)


def _journey_query(*selected: Any) -> sa.Select[Any]:
    """The consultation by slug with the respondent's unexpired draft, if any: a question
    page's two lookups as one round trip. Built once per use, not per request: constructing
    the expression each time cost more than the query (the compiled form is then reused)."""
    consultation, draft = Consultation.__table__, ResponseDraft.__table__
    return (
        sa.select(*selected)
        .select_from(consultation)
        .outerjoin(
            draft,
            sa.and_(
                draft.c.consultation_id == consultation.c.id,
                draft.c.token == sa.bindparam("token"),
                draft.c.expires_at > sa.bindparam("now"),
            ),
        )
        .where(consultation.c.slug == sa.bindparam("slug"))
    )


_JOURNEY = _journey_query(Consultation, ResponseDraft)


def load_journey(
    slug: str, token: str | None, now: datetime
) -> tuple[Consultation | None, ResponseDraft | None]:
    """The consultation (structure from the process cache) and the respondent's unexpired
    draft for it, in one query: a question page's two lookups as one round trip."""
    if not token:
        return consultation_for_journey(slug), None
    row = db.session.execute(_JOURNEY, {"slug": slug, "token": token, "now": now}).first()
    if row is None:
        return None, None
    consultation, draft = row
    return with_cached_structure(consultation), draft


# Read on every question page, check answers and submission, through SQLAlchemy's execution:
# sent straight to the driver instead (the former portal/driver.py), the question page ran at
# 0.82 of a bare Jinja page against 0.77 on PostgreSQL and 0.88 against 1.03 on SQLite, at
# 10,000 responses (medians of 3 alternating runs, 2026-12-06): within a fifth, not kept.
_JOURNEY_TO_READ = _journey_query(*JOURNEY_COLUMNS, *READ_ONLY_DRAFT_COLUMNS)


def load_journey_to_read(
    slug: str, token: str | None, now: datetime
) -> tuple[Consultation | None, ReadOnlyDraft | None]:
    """As load_journey, for a request that only reads the draft: the same query, read as
    plain rows. The consultation is built only when its row has changed
    (consultation_from_row)."""
    if not token:
        return consultation_for_journey(slug), None
    row = db.session.execute(_JOURNEY_TO_READ, {"slug": slug, "token": token, "now": now}).first()
    if row is None:
        return None, None
    consultation = consultation_from_row(row[: len(JOURNEY_COLUMNS)])
    draft_columns = row[len(JOURNEY_COLUMNS) :]
    draft = ReadOnlyDraft(*draft_columns) if draft_columns[0] is not None else None
    return consultation, draft


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


def page_form(journey: Journey[Any], page: Page, formdata: Any = None) -> FlaskForm:
    """A WTForms form for the questions of one page that apply, pre-filled from the draft
    when not posted.

    Only those questions become fields, so a posted name for a hidden question, a question on
    another page, or an invented one is never read.
    """
    questions = journey.visible_questions(page)
    initial: dict[str, Any] = {}
    for question in questions:
        initial.update(kind_of(question).form_data(question, journey.stored(question)))
    form: FlaskForm = _page_form_class(page, questions)(
        formdata=formdata, data=initial if formdata is None else None
    )
    return form


# Form classes per page object and set of questions shown. Pages come from the process's
# structure cache, so each class is built once per structure version and dropped with it.
_form_classes: weakref.WeakKeyDictionary[Page, dict[tuple[int, ...], type[FlaskForm]]] = (
    weakref.WeakKeyDictionary()
)


def _page_form_class(page: Page, questions: list[Question]) -> type[FlaskForm]:
    classes = _form_classes.setdefault(page, {})
    shown = tuple(question.id for question in questions)
    form_class = classes.get(shown)
    if form_class is None:
        fields: dict[str, Any] = {}
        for question in questions:
            fields.update(kind_of(question).fields(question))
        form_class = type("PageForm", (CsrfForm,), fields)
        classes[shown] = form_class
    return form_class


def save_page(
    journey: Journey[ResponseDraft],
    page: Page,
    form: FlaskForm,
    now: datetime,
    lifetime: timedelta,
    unfinished: Collection[str] = (),
) -> None:
    """Keep this page's validated answers in the draft; the draft's life restarts. Questions
    keyed in `unfinished` (not valid yet, when saving to finish later) keep what they had."""
    answers = dict(journey.draft.answers)
    for question in journey.visible_questions(page):
        if question.key in unfinished:
            continue
        stored = kind_of(question).to_stored(question, form)
        if stored is None:
            answers.pop(question.key, None)
        else:
            answers[question.key] = stored
    # A new dict, so the JSON column is seen as changed.
    kept = journey.answers_that_apply(answers)
    journey.draft.answers = kept
    journey.draft.updated_at = now
    journey.draft.expires_at = now + lifetime
    _commit_keeping(journey.draft, answers=kept)  # read next, to choose the next page


@dataclass(frozen=True)
class InvitedProfile:
    """What an invited member's response keeps of them: their weighting cell and groups."""

    district: str | None = None
    age_band: str | None = None
    group_ids: tuple[int, ...] = ()


def _invited_profile(invitation_id: int | None) -> InvitedProfile | None:
    """The invited member's district, age band and panel groups, as their response keeps them."""
    if invitation_id is None:
        return None
    from portal.panel.models import Invitation, PanelMember, panel_membership

    rows = db.session.execute(
        sa.select(PanelMember.district, PanelMember.age_band, panel_membership.c.group_id)
        .join(Invitation, Invitation.member_id == PanelMember.id)
        .outerjoin(panel_membership, panel_membership.c.member_id == PanelMember.id)
        .where(Invitation.id == invitation_id)
    ).all()
    if not rows:
        return None
    district, age_band, _ = rows[0]
    return InvitedProfile(
        district=district.value if district else None,
        age_band=age_band.value if age_band else None,
        group_ids=tuple(group_id for _, _, group_id in rows if group_id is not None),
    )


def _reference_sent_from(draft_id: int) -> str:
    """The reference of the response the draft was sent as ("" if it was not)."""
    return (
        db.session.scalar(
            sa.select(Response.reference)
            .join(ResponseDraft, ResponseDraft.response_id == Response.id)
            .where(ResponseDraft.id == draft_id)
        )
        or ""
    )


def submit_response(journey: Journey[Any], now: datetime, language: str) -> str:
    """Store the draft as a response with all its answers, in one transaction, exactly once,
    recording the language it was answered in.

    Returns the response's reference. Everything is written and committed by
    `storing.store_response`: one statement on PostgreSQL, one transaction of Core statements
    on SQLite. The answers to flag are asked first of whoever listens to `events.submitting`
    (the safeguarding package), so they are flagged in the same transaction.
    """
    draft = journey.draft
    if draft.response_id is not None:
        raise AlreadySubmitted(_reference_sent_from(draft.id))
    incomplete = journey.first_incomplete_page()
    if incomplete is not None:
        raise ResponseIncomplete(incomplete)
    answers = [
        {"question_id": question.id, **row}
        for question, kind, stored in journey.answered()
        if stored is not None
        for row in kind.answer_rows(question, stored)
    ]
    consultation = journey.consultation
    linked = consultation.panel_link == PanelLink.MEMBER
    flags = [
        flag for _, found in submitting.send(consultation, answers=answers) for flag in found or ()
    ]
    profile = _invited_profile(draft.invitation_id)
    for attempt in (1, 2):
        reference = new_reference()
        try:
            storing.store_response(
                storing.Submission(
                    response={
                        "consultation_id": consultation.id,
                        "snapshot_id": current_snapshot_id(consultation),
                        "reference": reference,
                        "submitted_at": now,
                        "channel": draft.channel,
                        "entered_by_id": draft.entered_by_id,
                        "distribution_channel_id": draft.distribution_channel_id,
                        "invitation_id": draft.invitation_id if linked else None,
                        "profile_district": profile.district if profile else None,
                        "profile_age_band": profile.age_band if profile else None,
                        "panel_invited": draft.invitation_id is not None,
                        "language": language,
                    },
                    draft_id=draft.id,
                    answers=answers,
                    invitation_to_claim=draft.invitation_id,
                    flags=flags,
                    group_ids=profile.group_ids if profile else (),
                )
            )
            return reference
        except storing.DraftTaken:  # a concurrent submission of this draft came first
            db.session.rollback()
            raise AlreadySubmitted(_reference_sent_from(draft.id)) from None
        except storing.InvitationTaken:
            db.session.rollback()
            raise InvitationUsed() from None
        except IntegrityError:
            # A clash of random references (about 1 in 10^14 per response), or a cached
            # snapshot id that no longer exists (a restored database): forget and try once more.
            db.session.rollback()
            forget_snapshot_ids()
            if attempt == 2:
                raise
        except Exception:
            db.session.rollback()
            raise
    raise AssertionError("unreachable")  # the loop returns or raises

"""Recording feedback on the service, and what officers read of it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _

from portal.consultations.models import Consultation
from portal.extensions import db
from portal.feedback.models import Satisfaction, ServiceFeedback
from portal.i18n import format_number

COMMENT_MAX_LENGTH = 1200
COMMENTS_PER_PAGE = 20


def week_starting(day: date) -> date:
    """The Monday of the week `day` falls in."""
    return day - timedelta(days=day.weekday())


class NothingGiven(ValueError):
    """Neither a rating nor a comment: there is nothing to keep."""


def record_feedback(
    consultation: Consultation, rating: Satisfaction | None, comment: str | None, today: date
) -> ServiceFeedback:
    """Keep one person's feedback, in its own transaction. The caller passes only what the
    person gave and the UK day, of which only the week is kept: nothing that could lead back
    to their response."""
    comment = (comment or "").strip() or None
    if rating is None and comment is None:
        raise NothingGiven(_("Select a rating or write a comment"))
    if comment is not None and len(comment) > COMMENT_MAX_LENGTH:
        raise ValueError(
            _(
                "A comment is at most %(count)s characters",
                count=format_number(Decimal(COMMENT_MAX_LENGTH)),
            )
        )
    feedback = ServiceFeedback(
        consultation_id=consultation.id,
        given_in_week=week_starting(today),
        rating=rating,
        comment=comment,
    )
    db.session.add(feedback)
    db.session.commit()
    return feedback


@dataclass
class RatingCount:
    rating: Satisfaction
    count: int
    percent: float | None  # of everyone who gave a rating; None when nobody did


@dataclass
class FeedbackSummary:
    ratings: list[RatingCount]
    rated: int  # how many gave a rating
    comments: int  # how many wrote a comment
    total: int  # how many gave feedback of any kind


def _where(consultation: Consultation | None) -> list[sa.ColumnElement[bool]]:
    return [] if consultation is None else [ServiceFeedback.consultation_id == consultation.id]


def summary(consultation: Consultation | None = None) -> FeedbackSummary:
    """How many chose each rating (every rating listed, most satisfied first), for one
    consultation or for all of them."""
    where = _where(consultation)
    by_rating: dict[Satisfaction | None, int] = {
        rating: count
        for rating, count in db.session.execute(
            sa.select(ServiceFeedback.rating, sa.func.count())
            .where(*where)
            .group_by(ServiceFeedback.rating)
        )
    }
    comments = (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(ServiceFeedback)
            .where(ServiceFeedback.comment.is_not(None), *where)
        )
        or 0
    )
    rated = sum(count for rating, count in by_rating.items() if rating is not None)
    return FeedbackSummary(
        ratings=[
            RatingCount(
                rating,
                by_rating.get(rating, 0),
                100 * by_rating.get(rating, 0) / rated if rated else None,
            )
            for rating in Satisfaction
        ],
        rated=rated,
        comments=comments,
        total=sum(by_rating.values()),
    )


@dataclass
class FeedbackComment:
    given_in_week: date
    rating: Satisfaction | None
    comment: str
    consultation_title: str


def comment_page(consultation: Consultation | None, page: int) -> tuple[list[FeedbackComment], int]:
    """One page of comments, newest week first, and how many there are in all. Within a week
    the order is the random key's, on purpose: it says nothing about when each was written."""
    where = [ServiceFeedback.comment.is_not(None), *_where(consultation)]
    total = (
        db.session.scalar(sa.select(sa.func.count()).select_from(ServiceFeedback).where(*where))
        or 0
    )
    rows: Sequence[Any] = db.session.execute(
        sa.select(
            ServiceFeedback.given_in_week,
            ServiceFeedback.rating,
            ServiceFeedback.comment,
            Consultation.title,
        )
        .join(Consultation, Consultation.id == ServiceFeedback.consultation_id)
        .where(*where)
        .order_by(ServiceFeedback.given_in_week.desc(), ServiceFeedback.id)
        .limit(COMMENTS_PER_PAGE)
        .offset((max(1, page) - 1) * COMMENTS_PER_PAGE)
    ).all()
    return [FeedbackComment(*row) for row in rows], total


def counts_by_consultation() -> list[tuple[Consultation, int]]:
    """Every consultation with feedback, and how much, by title."""
    return [
        (consultation, count)
        for consultation, count in db.session.execute(
            sa.select(Consultation, sa.func.count(ServiceFeedback.id))
            .join(ServiceFeedback, ServiceFeedback.consultation_id == Consultation.id)
            .group_by(Consultation.id)
            .order_by(Consultation.title)
        )
    ]


def comments_of(consultation_id: int) -> sa.Select[Any]:
    """The feedback on a consultation that holds a comment (for retention)."""
    return sa.select(ServiceFeedback.id).where(
        ServiceFeedback.consultation_id == consultation_id, ServiceFeedback.comment.is_not(None)
    )


def erase_comments(consultation_id: int) -> None:
    """Remove the comments on a consultation; ratings stay, so the counts still add up. Feedback
    that was only a comment goes altogether. Part of the caller's transaction."""
    db.session.execute(
        sa.delete(ServiceFeedback).where(
            ServiceFeedback.consultation_id == consultation_id,
            ServiceFeedback.rating.is_(None),
        )
    )
    db.session.execute(
        sa.update(ServiceFeedback)
        .where(ServiceFeedback.consultation_id == consultation_id)
        .values(comment=None)
        .execution_options(synchronize_session=False)
    )

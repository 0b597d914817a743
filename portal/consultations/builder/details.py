"""A consultation's details, and publishing, closing and reopening it."""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _

from portal.consultations.builder.rules import ChangeRefused, slugify, unique_name
from portal.consultations.models import Consultation, ConsultationStatus, Page
from portal.consultations.question_types import kind_of
from portal.extensions import db

DETAIL_FIELDS = (
    "title",
    "timing_note",
    "summary",
    "audience",
    "who_for",
    "what_happens",
    "privacy_notice",
    "help_text",
    "safeguarding_terms",
    "estimated_minutes",
    "retention_months",
    "opens_on",
    "closes_on",
    "panel_link",
)


def check_dates(opens_on: date | None, closes_on: date | None) -> None:
    if opens_on and closes_on and closes_on < opens_on:
        raise ChangeRefused(_("The closing date must be the same as or after the opening date"))


def create_consultation(**details: Any) -> Consultation:
    check_dates(details.get("opens_on"), details.get("closes_on"))
    taken = set(db.session.scalars(sa.select(Consultation.slug)))
    consultation = Consultation(
        slug=unique_name(slugify(details["title"], limit=90), taken, "-"),
        status=ConsultationStatus.DRAFT,
        **{name: details.get(name) for name in DETAIL_FIELDS if details.get(name) is not None},
    )
    consultation.pages.append(Page(position=1, title=None))
    db.session.add(consultation)
    db.session.commit()
    return consultation


def update_details(consultation: Consultation, **details: Any) -> None:
    check_dates(details.get("opens_on"), details.get("closes_on"))
    for name in DETAIL_FIELDS:
        if name in details:
            setattr(consultation, name, details[name])
    db.session.commit()


def problems_before_publishing(consultation: Consultation) -> list[str]:
    """What stops the consultation being published, in words an officer can act on."""
    problems = []
    asking = [q for q in consultation.questions if kind_of(q).asks]
    if not asking:
        problems.append(_("Add at least one question"))
    for page in consultation.pages:
        if not page.questions:
            problems.append(
                _(
                    "Page %(number)s has no questions: add one or delete the page",
                    number=page.position,
                )
            )
        elif len(page.questions) > 1 and not page.title:
            problems.append(
                _(
                    "Page %(number)s has several questions, so it needs a title",
                    number=page.position,
                )
            )
    for question in consultation.questions:
        kind = kind_of(question)
        if kind.uses_choices and not question.choices:
            problems.append(
                _("\u201c%(question)s\u201d needs at least one option", question=question.text)
            )
        if kind.uses_statements and not question.statements:
            problems.append(
                _("\u201c%(question)s\u201d needs at least one statement", question=question.text)
            )
    if not consultation.privacy_notice.strip():
        problems.append(_("Add a privacy notice"))
    return problems


def publish(consultation: Consultation, today: date) -> None:
    problems = problems_before_publishing(consultation)
    if problems:
        raise ChangeRefused("; ".join(problems))
    consultation.status = ConsultationStatus.OPEN
    if consultation.opens_on is None:
        consultation.opens_on = today
    db.session.commit()


def close(consultation: Consultation, today: date) -> None:
    consultation.status = ConsultationStatus.CLOSED
    if consultation.closes_on is None or consultation.closes_on > today:
        consultation.closes_on = today
    db.session.commit()


def reopen(consultation: Consultation, today: date, closes_on: date | None) -> None:
    if closes_on is not None and closes_on < today:
        raise ChangeRefused(_("The new closing date must be today or later"))
    consultation.status = ConsultationStatus.OPEN
    consultation.closes_on = closes_on
    db.session.commit()

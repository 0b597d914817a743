"""What the consultation builder's views share: finding what a URL names (404 when it names
nothing), checking a button's CSRF token, applying a change and saying what happened, and
where to go back to."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import abort, flash, redirect, url_for
from werkzeug import Response as WerkzeugResponse

from portal.consultations.builder import ChangeRefused
from portal.consultations.models import Consultation, Page, Question
from portal.consultations.service import consultation_with_questions
from portal.extensions import db
from portal.forms import ConfirmForm
from portal.responses.models import Response

STEPS = {"up": -1, "down": 1}


def consultation_to_build(slug: str) -> Consultation:
    return consultation_with_questions(slug) or abort(404)


def page_of(consultation: Consultation, position: int) -> Page:
    return next((p for p in consultation.pages if p.position == position), None) or abort(404)


def question_of(consultation: Consultation, key: str) -> Question:
    return next((q for q in consultation.questions if q.key == key), None) or abort(404)


def has_responses(consultation: Consultation) -> bool:
    """Whether anyone has responded, which the builder's rules need (consultations.builder)
    and cannot ask themselves: responses sit above consultations."""
    answered = sa.select(sa.exists().where(Response.consultation_id == consultation.id))
    return db.session.scalar(answered) or False


def step_of(direction: str) -> int:
    return STEPS.get(direction) or abort(404)


def to_builder(consultation: Consultation, anchor: str | None = None) -> WerkzeugResponse:
    return redirect(url_for(".build", slug=consultation.slug, _anchor=anchor), code=303)


def to_question(question: Question, anchor: str | None = None) -> WerkzeugResponse:
    return redirect(
        url_for(
            ".edit_question", slug=question.consultation.slug, key=question.key, _anchor=anchor
        ),
        code=303,
    )


def checked_action() -> None:
    """Every builder button is a form with a CSRF token; a bad or missing one changes nothing."""
    if not ConfirmForm().validate_on_submit():
        abort(400)


def apply_change(change: Any, success: str, *args: Any, **kwargs: Any) -> bool:
    """Run a builder change; say what happened, or why it was refused."""
    try:
        change(*args, **kwargs)
    except ChangeRefused as refusal:
        db.session.rollback()
        flash(str(refusal), "error")
        return False
    flash(success, "success")
    return True

"""Test data made through the same service functions the portal uses."""

from __future__ import annotations

import functools
import itertools
import time
from datetime import datetime, timedelta
from typing import Any
from unittest import mock

import pyotp
import sqlalchemy as sa
from flask import url_for
from werkzeug.security import generate_password_hash

from portal import clock
from portal.accounts import service as accounts
from portal.accounts.models import Role, User
from portal.consultations.models import QuestionType
from portal.consultations.service import consultation_with_questions
from portal.extensions import db
from portal.responses import service as responses
from portal.responses.journey import Journey
from portal.responses.models import Response
from portal.schools.models import District, Phase, School

PASSWORD = "correct horse battery staple"
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
_emails = itertools.count(1)


@functools.cache
def _password_hash() -> str:
    return generate_password_hash(PASSWORD)


def _hashed_once(password: str) -> str:
    """Test users made here share one scrypt hash of PASSWORD, one salt for all, where the
    portal makes a hash with a salt of its own for each: a hash takes 100 ms on 2 cores, and a
    run of the tests makes about 1,000 users. Signing in still checks the password against it."""
    return _password_hash() if password == PASSWORD else generate_password_hash(password)


def create_user(
    role: Role | str = Role.OFFICER, email: str | None = None, **overrides: Any
) -> User:
    school_id = overrides.pop("school_id", None)
    if Role(role) == Role.SCHOOL and school_id is None:
        school_id = create_school().id
    with mock.patch.object(accounts, "generate_password_hash", _hashed_once):
        user = accounts.create_user(
            email or f"user{next(_emails)}@council.example", PASSWORD, role, school_id=school_id
        )
    if Role(role) == Role.ADMIN:
        # Admins must have two-factor authentication; give them a known secret so tests can
        # sign them in (tests of setting it up make their own admins without one).
        overrides.setdefault("totp_secret", TOTP_SECRET)
    for name, value in overrides.items():
        setattr(user, name, value)
    if overrides:
        db.session.commit()
    return user


_school_numbers = itertools.count(3001)


def create_school(
    name: str = "Hillmorton Primary School",
    district: District = District.RUGBY,
    pupils: int = 300,
    phase: Phase = Phase.PRIMARY,
) -> School:
    school = School(
        name=name,
        number=f"937{next(_school_numbers)}",
        phase=phase,
        district=district,
        pupils=pupils,
    )
    db.session.add(school)
    db.session.commit()
    return school


def sign_in(client: Any, user: User, password: str = PASSWORD) -> Any:
    """Sign in through the form; for an account with two-factor authentication, give the
    code its app would show too."""
    page = client.get_page(url_for("auth.sign_in"))
    response = client.post(
        url_for("auth.sign_in"),
        data={"email": user.email, "password": password, "csrf_token": page.csrf_token()},
    )
    if user.totp_secret and response.headers.get("Location") == url_for("auth.two_factor_code"):
        page = client.get_page(url_for("auth.two_factor_code"))
        response = client.post(
            url_for("auth.two_factor_code"),
            data={"code": totp_now(user.totp_secret), "csrf_token": page.csrf_token()},
        )
    return response


def totp_now(secret: str = TOTP_SECRET, offset_steps: int = 0) -> str:
    """The code an authenticator app would show now (or `offset_steps` steps away)."""
    totp = pyotp.TOTP(secret)
    return totp.at(time.time() + offset_steps * totp.interval)


def submit_response(
    slug: str,
    answers: dict[str, Any],
    at: datetime | None = None,
    language: str = "en",
    **arrived: Any,
) -> Response:
    """Store a response the way the journey does: a draft holding `answers`, then submit.

    `answers` maps question keys to stored answers,
    for example {"school_phase": {"selected": ["primary"]}}.
    Every required question not given is answered with its first option.
    `arrived` says how it came, as the journey's start_draft takes it (channel,
    distribution_channel_id, invitation_id). `language`: the code of the language it was
    answered in (portal/i18n.py).
    """
    consultation = consultation_with_questions(slug)
    assert consultation is not None
    now = at or clock.utcnow()
    draft = responses.start_draft(consultation, now, timedelta(hours=1), **arrived)
    given = {key: value for key, value in answers.items() if value is not None}
    journey = Journey(consultation, draft)
    # Fill in the required questions not given, as routing reaches them: a question routed
    # out by an answer given (or filled in) is never answered.
    while True:
        filled = dict(given)
        for question in journey.answered_questions():
            if question.key in answers or not question.required:
                continue
            if question.type == QuestionType.MATRIX:
                first = question.choices[0].value
                filled[question.key] = {"rows": {row.value: first for row in question.statements}}
            else:
                filled[question.key] = {"selected": [question.options[0].value]}
        if filled == draft.answers:
            break
        draft.answers = filled
        journey = Journey(consultation, draft)
    draft.answers = journey.answers_that_apply(filled)
    reference = responses.submit_response(Journey(consultation, draft), now, language=language)
    return db.session.scalars(sa.select(Response).where(Response.reference == reference)).one()


def chose(*values: str) -> dict[str, list[str]]:
    return {"selected": list(values)}


def closed_yesterday(consultation: Any) -> None:
    """Give a consultation dates that ended yesterday, so the next wave can open today."""
    today = clock.uk_today()
    consultation.opens_on = today - timedelta(days=60)
    consultation.closes_on = today - timedelta(days=1)
    db.session.commit()

"""Panel invitations and reminders, sent through a local SMTP server started by the tests."""

from __future__ import annotations

import io
import re

import sqlalchemy as sa
from flask import url_for

from portal.audit import AuditEntry
from portal.clock import utcnow
from portal.consultations.models import PanelLink
from portal.extensions import db
from portal.panel import invitations, service
from portal.panel.models import Invitation, MemberStatus, PanelGroup
from portal.responses.models import Response
from tests.factories import create_user, sign_in
from tests.journeys import LIVEABILITY_ANSWERS, Respondent, consultation
from tests.mail import body_of
from tests.test_panel import HEADER, _row

SLUG = "warwickshire-panel-liveability"


def _panel() -> None:
    service.import_members(
        io.StringIO(
            HEADER
            + _row("WP-001", name="Ann", email="ann@example.com", groups="Rugby Bus User Group")
            + _row("WP-002", name="Bob", email="bob@example.com", groups="Rugby Bus User Group")
            + _row("WP-003", name="Cath", email="cath@example.com", groups="Rugby Bus User Group")
            + _row(
                "WP-004",
                name="Dev",
                email="",
                address="4 Low Road, Rugby",
                groups="Rugby Bus User Group",
            )
            + _row("WP-005", name="Eve", email="eve@example.com", groups="Warwickshire Panel")
        )
    )


def _officer_page(client):
    sign_in(client, create_user())
    page = client.get_page(url_for("officer.invitations_page", slug=SLUG))
    return page, page.csrf_token()


def _post(client, token, action, **extra):
    return client.post(
        url_for("officer.invitations_page", slug=SLUG),
        data={"csrf_token": token, "action": action, **extra},
    )


def _link_in(message) -> str:
    found = re.search(r"http://localhost/i/([A-Z0-9]+)", body_of(message))
    assert found, body_of(message)
    return found.group(0).replace("http://localhost", "")


def _respond(app, path: str):
    respondent_client = app.test_client()
    arrived = respondent_client.get(path)
    assert arrived.status_code == 303
    respondent = Respondent(respondent_client, SLUG)
    respondent.start()
    respondent.answer_all(LIVEABILITY_ANSWERS)
    return respondent, respondent.submit()


def test_a_group_is_invited_answers_once_and_only_the_others_are_reminded(app, client, inbox):
    _panel()
    _, token = _officer_page(client)
    group = db.session.scalars(
        sa.select(PanelGroup).where(PanelGroup.name == "Rugby Bus User Group")
    ).one()
    _post(client, token, "invite", group=str(group.id))
    assert invitations.counts(consultation(SLUG)).invited == 4  # Eve is in another group
    _post(client, token, "invite", group=str(group.id))
    assert invitations.counts(consultation(SLUG)).invited == 4  # safe to repeat

    _post(client, token, "send")
    assert sorted(m["To"] for m in inbox.messages) == [
        "ann@example.com",
        "bob@example.com",
        "cath@example.com",
    ]
    assert "leave here" in body_of(inbox.messages[0])
    _post(client, token, "send")
    assert len(inbox.messages) == 3  # never twice

    # Dev has no email address: a letter, with the same kind of code.
    letters = client.get_page(url_for("officer.invitation_letters", slug=SLUG))
    assert "4 Low Road, Rugby" in letters.text and "Dear Dev" in letters.text
    assert db.session.scalars(
        sa.select(AuditEntry.action).where(AuditEntry.subject.like("consultation:%"))
    ).all() == ["printed letters"]

    # Ann answers through her link; the response carries her invitation.
    ann_link = _link_in(next(m for m in inbox.messages if m["To"] == "ann@example.com"))
    respondent, sent = _respond(app, ann_link)
    assert sent.status_code == 303
    # By default the response keeps only Ann's weighting cell, not a link to her record.
    response = db.session.scalars(sa.select(Response)).one()
    assert response.invitation_id is None
    assert (response.profile_district, response.profile_age_band) == ("warwick", "65_74")
    invitation = db.session.scalars(
        sa.select(Invitation).where(Invitation.responded_at.is_not(None))
    ).one()
    assert invitation.member.reference == "WP-001" and invitation.response_id is None

    # Her link now says, kindly, that she has answered; a second response is refused.
    again = app.test_client().get_page(ann_link)
    assert again.h1 == "You have already answered"
    start = respondent.client.get_page(url_for("public.start", slug=SLUG))
    refused = respondent.client.post_page(
        url_for("public.begin", slug=SLUG), data={"csrf_token": start.csrf_token()}
    )
    assert refused.status == 409 and refused.h1 == "You have already answered"
    assert db.session.scalar(sa.select(sa.func.count(Response.id))) == 1

    # Cath leaves the panel through the link in her invitation.
    cath_mail = body_of(next(m for m in inbox.messages if m["To"] == "cath@example.com"))
    leave = re.search(r"http://localhost(/panel/leave/\S+)", cath_mail).group(1)
    leave_page = app.test_client()
    page = leave_page.get_page(leave)
    leave_page.post(leave, data={"csrf_token": page.csrf_token()})
    assert service.find_member("WP-003").status == MemberStatus.LEFT

    # A reminder reaches only Bob: not Ann (answered), not Cath (left), not Dev (no email).
    inbox.messages.clear()
    _post(client, token, "remind")
    assert [m["To"] for m in inbox.messages] == ["bob@example.com"]
    assert inbox.messages[0]["Subject"].startswith("Reminder:")
    _post(client, token, "remind")
    _post(client, token, "remind")
    assert [m["To"] for m in inbox.messages] == ["bob@example.com"] * 2  # at most 2


def test_sending_resumes_and_never_sends_twice(app, inbox):
    _panel()
    found = consultation(SLUG)
    now = utcnow()
    invitations.invite(found, None, now)
    # A run that stopped after marking Bob's email as going, before confirming it.
    bob = db.session.scalars(
        sa.select(Invitation)
        .join(Invitation.member)
        .where(sa.text("panel_member.reference = 'WP-002'"))
    ).one()
    bob.send_started_at = now
    db.session.commit()
    report = invitations.send_invitations(found, now)
    assert report.sent == 3 and report.uncertain == ["WP-002"]
    assert sorted(m["To"] for m in inbox.messages) == [
        "ann@example.com",
        "cath@example.com",
        "eve@example.com",
    ]


def test_a_refused_email_is_tried_again_next_time(app, inbox):
    _panel()
    found = consultation(SLUG)
    invitations.invite(found, None, utcnow())
    app.config["SMTP_PORT"] = 1  # nothing listens there
    report = invitations.send_invitations(found, utcnow())
    assert report.sent == 0 and len(report.failed) == 4
    app.config["SMTP_PORT"] = inbox.port
    report = invitations.send_invitations(found, utcnow())
    assert report.sent == 4 and report.failed == []


def test_a_member_who_left_is_not_invited(app, inbox):
    _panel()
    member = service.find_member("WP-005")
    service.leave(member.leave_token, utcnow().date())
    assert invitations.invite(consultation(SLUG), None, utcnow()) == 4


def test_a_consultation_can_link_responses_to_members_and_says_so(app, client, inbox):
    _panel()
    found = consultation(SLUG)
    found.panel_link = PanelLink.MEMBER
    db.session.commit()
    invitations.invite(found, None, utcnow())
    invitations.send_invitations(found, utcnow())
    link = _link_in(next(m for m in inbox.messages if m["To"] == "ann@example.com"))
    browser = app.test_client()
    start = browser.get_page(browser.get(link).headers["Location"])
    assert "Your answers will be kept linked to your panel record" in start.text
    _respond(app, link)
    response = db.session.scalars(sa.select(Response)).one()
    invitation = db.session.get(Invitation, response.invitation_id)
    assert invitation.member.reference == "WP-001" and invitation.response_id == response.id

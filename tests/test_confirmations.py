"""Publish, close now, publish results, remove a panel member, disable an account and close a
school each ask first, on a page of their own: the page says what will happen, and only its
form's POST does it."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from flask import url_for
from wtforms.fields.core import UnboundField

from portal.accounts.models import Role
from portal.audit import AuditEntry
from portal.clock import uk_today, utcnow
from portal.consultations import builder as builder_service
from portal.consultations.models import ConsultationStatus, QuestionType
from portal.consultations.service import consultation_with_questions
from portal.extensions import db
from portal.forms import PortalForm
from portal.panel import invitations
from portal.panel.models import Invitation, PanelMember
from portal.publications.models import Publication
from tests.builder_client import Builder
from tests.builder_client import saved_consultation as _consultation
from tests.factories import create_school, create_user, sign_in

BULLYING = "bullying-what-parents-think"


def _confirm(client, url: str):
    """The confirmation page, and what its one form would post."""
    page = client.get_page(url)
    form = page.soup.select_one("main form[method=post]")
    return page, form


def _warning(page) -> str:
    return page.soup.select_one(".govuk-warning-text__text").get_text(" ", strip=True)


def _a_publishable_draft(client) -> Builder:
    builder = Builder(client)
    builder.create()
    question = builder.add_question(1, QuestionType.SINGLE_CHOICE, "Is the shelter clean?")
    builder.add_option(question, "Yes")
    builder.add_option(question, "No")
    return builder


def test_publish_asks_first_and_says_when_residents_can_answer(client):
    builder = _a_publishable_draft(client)
    build = builder.page("officer.build")
    confirm_url = url_for("officer.confirm_publish", slug=builder.slug)
    publish_url = url_for("officer.publish", slug=builder.slug)
    assert build.soup.select_one(f"a.govuk-button[href='{confirm_url}']").get_text() == "Publish"
    assert not build.soup.select(f"form[action='{publish_url}']")  # no button that publishes

    page, form = _confirm(client, confirm_url)
    title = "Bus shelters: what users think"
    assert page.h1 == f"Are you sure you want to publish \u2018{title}\u2019?"
    today = uk_today()
    expected = f"residents can answer it from today, {today.day} {today:%B %Y}"
    assert expected in page.text
    assert "it closes at the end of 31 December 2099" in page.text
    assert _warning(page) == (
        "Warning Once published it cannot go back to being a draft. You can close it at any time."
    )
    assert form["action"] == publish_url
    assert form.select_one("button[type=submit]").get_text(strip=True) == "Publish"
    assert form.select_one("a.govuk-link")["href"] == url_for("officer.build", slug=builder.slug)
    # Looking at the question changes nothing.
    assert _consultation(builder.slug).status == ConsultationStatus.DRAFT

    response = client.post(publish_url, data={"csrf_token": page.csrf_token()})
    assert response.status_code == 303
    assert _consultation(builder.slug).status == ConsultationStatus.OPEN
    done = client.get_page(response.headers["Location"])
    assert "Published: respondents can now answer it" in done.text


def test_publish_without_a_valid_token_publishes_nothing(client):
    builder = _a_publishable_draft(client)
    response = client.post(url_for("officer.publish", slug=builder.slug), data={})
    assert response.status_code == 400
    assert _consultation(builder.slug).status == ConsultationStatus.DRAFT


def test_a_draft_that_cannot_be_published_says_why_and_offers_no_button(client):
    builder = Builder(client)
    builder.create()
    page, form = _confirm(client, url_for("officer.confirm_publish", slug=builder.slug))
    assert form is None
    reasons = [li.get_text() for li in page.soup.select(".app-refusals li")]
    assert reasons == [
        "Add at least one question",
        "Page 1 has no questions: add one or delete the page",
    ]


def test_close_now_asks_first_and_says_the_links_stop_working(client):
    builder = _a_publishable_draft(client)
    builder.post("officer.publish")
    build = builder.page("officer.build")
    confirm_url = url_for("officer.confirm_close", slug=builder.slug)
    assert build.soup.select_one(f"a[href='{confirm_url}']").get_text() == "Close now"

    page, form = _confirm(client, confirm_url)
    assert (
        page.h1 == "Are you sure you want to close \u2018Bus shelters: what users think\u2019 now?"
    )
    what = [li.get_text(" ", strip=True) for li in page.soup.select(".app-what-happens li")]
    assert what[0] == "no more responses are accepted, from now"
    assert (
        "the links for schools and outlets and the panel invitation links stop working" in what[2]
    )
    today = uk_today()
    assert what[3] == (
        f"its closing date becomes today, {today.day} {today:%B %Y}, instead of 31 December 2099"
    )
    assert "You can reopen it from the builder with a new closing date." in page.text
    assert "govuk-button--warning" in form.select_one("button")["class"]
    assert _consultation(builder.slug).status == ConsultationStatus.OPEN

    client.post(form["action"], data={"csrf_token": page.csrf_token()})
    consultation = _consultation(builder.slug)
    assert consultation.status == ConsultationStatus.CLOSED
    assert consultation.closes_on == today
    again, form = _confirm(client, confirm_url)
    assert form is None
    assert [li.get_text() for li in again.soup.select(".app-refusals li")] == [
        "It is already closed"
    ]


def _publication_ready(officer_client) -> None:
    consultation = consultation_with_questions(BULLYING)
    builder_service.close(consultation, uk_today())
    page = officer_client.get_page(url_for("officer.publication", slug=BULLYING))
    question_id = next(q.id for q in consultation.questions if q.key == "bullied_last_year")
    officer_client.post(
        url_for("officer.publication", slug=BULLYING),
        data={
            "introduction": "Thank you",
            "questions": [str(question_id)],
            "csrf_token": page.csrf_token(),
        },
    )


def test_publish_results_asks_first_and_says_where_and_what_is_hidden(app, officer_client):
    _publication_ready(officer_client)
    publication_page = officer_client.get_page(url_for("officer.publication", slug=BULLYING))
    confirm_url = url_for("officer.confirm_publish_results", slug=BULLYING)
    link = publication_page.soup.select_one(f"a.govuk-button[href='{confirm_url}']")
    assert link.get_text() == "Publish the results"

    page, form = _confirm(officer_client, confirm_url)
    assert page.h1 == (
        "Are you sure you want to publish the results of \u2018Bullying: what parents think\u2019?"
    )
    what = [li.get_text(" ", strip=True) for li in page.soup.select(".app-what-happens li")]
    public_url = f"http://localhost/results/{BULLYING}"
    assert what[0].startswith(f"anyone can see them at {public_url}")
    assert what[1] == (
        "the page shows your introduction, 1 question and 0 \u201cyou said, we did\u201d"
    )
    assert what[2].startswith("counts from 1 to 9 are shown as \u201cfewer than 10\u201d")
    assert db.session.scalars(sa.select(Publication)).one().published_at is None
    assert officer_client.get(url_for("public.published_results", slug=BULLYING)).status_code == 404

    response = officer_client.post(form["action"], data={"csrf_token": page.csrf_token()})
    assert response.status_code == 303
    assert db.session.scalars(sa.select(Publication)).one().published_at is not None
    assert officer_client.get(url_for("public.published_results", slug=BULLYING)).status_code == 200


def _member_with_an_invitation() -> PanelMember:
    member = PanelMember(
        reference="WP-200",
        name="Dev Example",
        email="dev@example.com",
        consent_given_on=date(2020, 1, 1),
        consent_wording="I agree",
        leave_token="leave-200",
    )
    db.session.add(member)
    db.session.commit()
    invitations.invite(consultation_with_questions(BULLYING), None, utcnow())
    return member


def test_remove_member_asks_first_and_says_what_is_deleted_and_kept(app, client):
    _member_with_an_invitation()
    sign_in(client, create_user(email="panel.officer@council.example"))
    member_page = client.get_page(url_for("officer.member", member_reference="WP-200"))
    confirm_url = url_for("officer.confirm_remove_member", member_reference="WP-200")
    link = member_page.soup.select_one(f"a.govuk-button[href='{confirm_url}']")
    assert link.get_text(" ", strip=True) == "Remove from the register member WP-200"

    page, form = _confirm(client, confirm_url)
    assert page.h1 == (
        "Are you sure you want to remove Dev Example (WP-200) from the panel register?"
    )
    what = [li.get_text(" ", strip=True) for li in page.soup.select(".app-what-happens li")]
    assert what[0].startswith("their name, email and postal addresses")
    assert what[1] == "their 1 invitation is deleted, so its link stops working"
    assert what[2] == "answers they sent stay in the results: none are linked to them"
    assert _warning(page) == (
        "Warning Their details are deleted, not archived: this cannot be undone."
    )
    assert form.select_one("a.govuk-link")["href"] == url_for(
        "officer.member", member_reference="WP-200"
    )
    assert db.session.scalar(sa.select(sa.func.count(Invitation.id))) == 1

    response = client.post(form["action"], data={"csrf_token": page.csrf_token()})
    assert response.status_code == 303
    assert (
        db.session.scalar(sa.select(PanelMember).where(PanelMember.reference == "WP-200")) is None
    )
    assert db.session.scalar(sa.select(sa.func.count(Invitation.id))) == 0
    actions = db.session.scalars(
        sa.select(AuditEntry.action, AuditEntry.detail)
        .where(AuditEntry.subject == "panel_member:WP-200")
        .order_by(AuditEntry.id)
    ).all()
    assert actions[-2:] == ["viewed", "erased panel member"]


def test_preview_starts_at_the_start_page(client):
    builder = _a_publishable_draft(client)
    build = builder.page("officer.build")
    start_url = url_for("officer.preview_start", slug=builder.slug)
    assert build.soup.select_one("a.govuk-button--secondary")["href"] == start_url

    start = client.get_page(start_url)
    assert start.h1 == "Bus shelters: what users think"
    banner = start.soup.select_one(".govuk-notification-banner").get_text(" ", strip=True)
    assert "This is the start page respondents see while the consultation is open" in banner
    assert "there is 1 question on 1 page" in start.text
    build_url = url_for("officer.build", slug=builder.slug)
    assert start.soup.select_one(".govuk-back-link")["href"] == build_url
    first_page = url_for("officer.preview", slug=builder.slug, number=1)
    assert start.soup.select_one("a.govuk-button--start")["href"] == first_page
    assert not start.soup.select("form[action$='/start']")  # nothing a respondent would start

    page = client.get_page(first_page)
    assert page.h1 == "Is the shelter clean?"
    assert page.soup.select_one(".govuk-back-link")["href"] == start_url


def _all_subclasses(cls: type) -> list[type]:
    return [sub for direct in cls.__subclasses__() for sub in (direct, *_all_subclasses(direct))]


def test_one_form_serves_every_button_that_needs_only_its_csrf_token(app):
    """Publish, close, disable, withdraw and the rest post the same form, kept in one place."""
    only_a_token = sorted(
        f"{form.__module__}.{form.__qualname__}"
        for form in set(_all_subclasses(PortalForm))
        if not any(isinstance(getattr(form, name), UnboundField) for name in dir(form))
    )
    assert only_a_token == ["portal.forms.ConfirmForm"]


def _warning_as_read(page) -> str:
    """The warning as a screen reader says it: its hidden "Warning", a space, then the text."""
    return page.soup.select_one(".govuk-warning-text__text").get_text()


def test_disabling_an_account_asks_on_the_shared_confirmation_page(app, client):
    leaver = create_user(Role.OFFICER, email="leaver@council.example")
    sign_in(client, create_user(Role.ADMIN))
    page, form = _confirm(client, url_for("admin.disable_user", user_id=leaver.id))
    assert page.h1 == "Disable leaver@council.example?"
    assert _warning_as_read(page).startswith("Warning They will be signed out at once")
    assert "Any link to set a password already sent to them stops working." in page.text
    assert form["action"] == url_for("admin.disable_user", user_id=leaver.id)
    assert form.select_one("input[name=csrf_token]").get("id") is None  # the macro's form
    assert form.select_one("a.govuk-link")["href"] == url_for("admin.user", user_id=leaver.id)


def test_closing_a_school_asks_on_the_shared_confirmation_page(app, client):
    school = create_school(name="Bilton Junior School")
    sign_in(client, create_user())
    page, form = _confirm(client, url_for("officer.close_school", school_number=school.number))
    assert page.h1 == "Close Bilton Junior School?"
    assert _warning_as_read(page) == (
        "Warning You can reopen the school later, but its links and accounts stay off: once it "
        "is reopened, an officer switches each link back on from its consultation\u2019s "
        "distribution page, and an administrator re-enables each account."
    )
    assert form.select_one("input[name=csrf_token]").get("id") is None  # the macro's form
    assert form.select_one("button").get_text(strip=True) == "Close school"

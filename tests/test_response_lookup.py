"""Officers find a response by the reference its respondent quotes, read it, correct an answer
and withdraw it at the respondent's request; each change is audited and the results follow."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask import url_for

from portal.accounts.models import Role
from portal.audit import AuditEntry
from portal.consultations.models import Option, PanelLink, Question
from portal.extensions import db
from portal.panel.models import Invitation
from portal.reporting import results_index_build
from portal.responses import tallies
from portal.responses.models import Answer, Response
from portal.responses.service import format_reference
from tests.factories import chose, create_user, sign_in, submit_response
from tests.journeys import BULLYING_ROUTED_OUT, consultation
from tests.test_assisted_panel_code import SLUG as PANEL_SLUG
from tests.test_assisted_panel_code import (
    _invite_three,
    _key_in,
    _officer,
    _start,
    _warwick_rate,
)

BULLYING = "bullying-what-parents-think"
COMMENT = "The school's messages don't reach parents.\nPlease <script>alert(1)</script> act."


def _not_bullied() -> Response:
    return submit_response(
        BULLYING,
        {
            "school_phase": chose("secondary"),
            "bullied_last_year": chose("no"),
            "comments": {"text": COMMENT},
        },
    )


def _bullied() -> Response:
    return submit_response(
        BULLYING,
        {
            "school_phase": chose("primary"),
            "bullied_last_year": chose("yes"),
            "bullying_where": {"selected": ["online"], "other": "At the bus stop"},
        },
    )


def _chosen(response: Response, key: str) -> list[str]:
    return list(
        db.session.scalars(
            sa.select(Option.value)
            .join(Answer, Answer.option_id == Option.id)
            .join(Question, Question.id == Answer.question_id)
            .where(Answer.response_id == response.id, Question.key == key)
        )
    )


def _find(client, typed: str):
    return client.get(url_for("officer.find_response", reference=typed))


def test_a_reference_is_found_however_it_is_typed(app, officer_client):
    response = _not_bullied()
    shown = format_reference(response.reference)
    page = officer_client.get_page(url_for("officer.find_response"))
    assert page.h1 == "Find a response"
    assert page.soup.select_one("main form")["method"] == "get"
    for typed in (shown, response.reference, shown.lower(), f"  {response.reference.lower()} "):
        found = _find(officer_client, typed)
        assert found.status_code == 303, typed
        assert found.headers["Location"] == url_for("officer.response_page", reference=shown)


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "Enter a response reference, like 63SBM-FQWTT"),
        ("ZZZZZ-ZZZZZ", "No response has the reference ZZZZZ-ZZZZZ"),
        ("  hello ", "No response has the reference hello"),
    ],
)
def test_a_reference_not_found_says_so(app, officer_client, typed, message):
    response = _not_bullied()
    page = officer_client.get_page(url_for("officer.find_response", reference=typed))
    assert page.status == 200
    assert page.error_summary() == [message]
    assert message in page.soup.find(id="reference-error").get_text(" ", strip=True)
    # Only an exact reference finds anything: one character short finds nothing.
    near = officer_client.get_page(
        url_for("officer.find_response", reference=response.reference[:-1])
    )
    assert near.error_summary() == [f"No response has the reference {response.reference[:-1]}"]


def test_the_response_shows_every_answer_as_given_and_what_was_not_asked(app, officer_client):
    response = _not_bullied()
    shown = format_reference(response.reference)
    page = officer_client.get_page(url_for("officer.response_page", reference=shown))
    assert page.h1 == f"Response {shown}"
    details = page.soup.find(id="response-details").get_text(" ", strip=True)
    assert "Bullying: what parents think" in details
    assert "Online" in details
    sent = response.submitted_at
    assert f"{sent.year}" in details and "Sent (UK time)" in details

    def answer(key: str) -> str:
        return page.soup.find(id=f"answer-{key}").select_one("dd").get_text(" ", strip=True)

    assert answer("school_phase") == "Secondary school"
    assert answer("bullied_last_year") == "No"
    for key in BULLYING_ROUTED_OUT:
        assert answer(key) == "Not asked", key
    # Typed answers are shown as text, never as HTML.
    assert "Please <script>alert(1)</script> act." in answer("comments")
    assert "<script>alert(1)</script>" not in page.html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.html
    assert db.session.scalars(
        sa.select(AuditEntry.action).where(AuditEntry.subject == f"response:{shown}")
    ).all() == ["viewed response"]


def test_an_answer_is_corrected_audited_and_counted(app, officer_client):
    response = _not_bullied()
    shown = format_reference(response.reference)
    url = url_for("officer.correct_answer", reference=shown, key="school_phase")
    form = officer_client.get_page(url)
    assert form.soup.select_one('input[name="school_phase"][value="secondary"]').has_attr("checked")
    assert (
        officer_client.get(
            url_for("officer.correct_answer", reference=shown, key="bullying_where")
        ).status_code
        == 404
    )  # not asked, so there is nothing to correct

    refused = officer_client.post_page(url, data={"csrf_token": form.csrf_token()})
    assert refused.status == 422
    assert refused.error_summary() == ["Select the type of school your child goes to"]
    assert _chosen(response, "school_phase") == ["secondary"]

    done = officer_client.post(
        url, data={"csrf_token": form.csrf_token(), "school_phase": "primary"}
    )
    assert done.status_code == 303
    page = officer_client.get_page(done.headers["Location"])
    assert "Answer to \u201cWhat type of school does your child go to?\u201d corrected" in page.text
    assert _chosen(response, "school_phase") == ["primary"]
    assert page.soup.find(id="answer-school_phase").select_one("dd").get_text(strip=True) == (
        "Primary or infant school"
    )
    # The other answers are as they were, and the running totals agree with them.
    assert _chosen(response, "bullied_last_year") == ["no"]
    assert tallies.fresh_counts() == tallies.stored_counts()
    entry = db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.action == "corrected response")
    ).one()
    assert entry.subject == f"response:{shown}"
    assert entry.detail.startswith("Changed the answer to \u201c")
    assert "primary" not in entry.detail.lower().split("\u201d")[-1]


def test_a_correction_that_routes_questions_out_removes_their_answers(app, officer_client):
    response = _bullied()
    shown = format_reference(response.reference)
    url = url_for("officer.correct_answer", reference=shown, key="bullied_last_year")
    token = officer_client.get_page(url).csrf_token()
    done = officer_client.post(url, data={"csrf_token": token, "bullied_last_year": "no"})
    assert done.status_code == 303
    page = officer_client.get_page(done.headers["Location"])
    assert "it now routes past were removed" in page.text
    assert _chosen(response, "bullying_where") == []
    assert page.soup.find(id="answer-bullying_where").select_one("dd").get_text(strip=True) == (
        "Not asked"
    )
    assert tallies.fresh_counts() == tallies.stored_counts()


@pytest.mark.usefixtures("counted")
def test_a_withdrawn_response_is_erased_audited_and_no_longer_counted(app, officer_client):
    withdrawn = _not_bullied()
    _not_bullied()
    results_index_build.refresh()
    shown = format_reference(withdrawn.reference)
    results = url_for("officer.results", slug=BULLYING)
    filtered = url_for("officer.results", slug=BULLYING, answer="school_phase:secondary")

    def totals() -> tuple[str, str]:
        return tuple(  # type: ignore[return-value]
            officer_client.get_page(url)
            .soup.select_one("#total-responses")
            .get_text(" ", strip=True)
            for url in (results, filtered)
        )

    assert totals() == ("2 responses", "2 of 2 responses match these filters")
    url = url_for("officer.withdraw_response", reference=shown)
    confirm = officer_client.get_page(url)
    assert confirm.h1 == f"Are you sure you want to withdraw response {shown}?"
    refused = officer_client.post_page(url, data={"csrf_token": confirm.csrf_token()})
    assert refused.status == 422
    assert refused.error_summary() == ["Select why the response is being withdrawn"]
    assert [
        label.get_text(strip=True) for label in confirm.soup.select(".govuk-radios__label")
    ] == [
        "The respondent asked for it to be removed",
        "It was keyed in twice",
        "It was a test",
    ]
    assert not confirm.soup.select("textarea")  # no typed reason to reach the audit log
    assert db.session.get(Response, withdrawn.id) is not None

    done = officer_client.post(
        url,
        data={"csrf_token": confirm.csrf_token(), "reason": "asked"},
    )
    assert done.status_code == 303
    page = officer_client.get_page(done.headers["Location"])
    assert f"Response {shown} withdrawn" in page.text
    db.session.expire_all()
    assert db.session.get(Response, withdrawn.id) is None
    assert (
        db.session.scalar(
            sa.select(sa.func.count(Answer.id)).where(Answer.response_id == withdrawn.id)
        )
        == 0
    )
    assert totals() == ("1 response", "1 of 1 response matches these filters")
    entry = db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.action == "withdrew response")
    ).one()
    assert entry.subject == f"response:{shown}"
    assert entry.detail == "Reason: The respondent asked for it to be removed"
    assert officer_client.get(url_for("officer.response_page", reference=shown)).status_code == 404
    gone = officer_client.get_page(url_for("officer.find_response", reference=shown))
    assert gone.error_summary() == [f"No response has the reference {shown}"]


def test_a_withdrawal_with_a_bad_reason_changes_nothing(app, officer_client):
    response = _not_bullied()
    url = url_for("officer.withdraw_response", reference=format_reference(response.reference))
    token = officer_client.get_page(url).csrf_token()
    # Typed words (a name, an email address) are not one of the reasons: refused, not logged.
    for reason, message in [
        ("   ", "Select why the response is being withdrawn"),
        ("Asked by Jane Smith, jane@example.com", "Select why the response is being withdrawn"),
    ]:
        refused = officer_client.post_page(url, data={"csrf_token": token, "reason": reason})
        assert refused.status == 422
        assert refused.error_summary()[0].startswith(message)
    refused = officer_client.post_page(url, data={"csrf_token": token})
    assert refused.error_summary() == ["Select why the response is being withdrawn"]
    assert db.session.get(Response, response.id) is not None
    assert not db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.action == "withdrew response")
    ).all()


def test_only_officers_and_admins_find_responses(app, client):
    response = _not_bullied()
    shown = format_reference(response.reference)
    urls = [
        ("get", url_for("officer.find_response", reference=shown)),
        ("get", url_for("officer.response_page", reference=shown)),
        ("get", url_for("officer.correct_answer", reference=shown, key="school_phase")),
        ("post", url_for("officer.withdraw_response", reference=shown)),
    ]
    for _, url in urls:
        assert client.get(url).status_code == 302  # signed out: sent to sign in
    sign_in(client, create_user(Role.SCHOOL))
    token = client.get_page(url_for("public.start", slug=BULLYING)).csrf_token()
    for method, url in urls:
        data = {"csrf_token": token, "reason": "test"} if method == "post" else None
        assert getattr(client, method)(url, data=data).status_code == 403
    assert db.session.get(Response, response.id) is not None
    with app.test_client() as admin_client:
        sign_in(admin_client, create_user(Role.ADMIN))
        assert admin_client.get(urls[1][1]).status_code == 200
        assert "Find a response" in admin_client.get_page(url_for("officer.dashboard")).text


def test_a_withdrawn_panel_response_no_longer_counts_its_member_as_responded(app, client):
    """The invitation that brought a withdrawn response stops counting in the response rates,
    and its code stays spent: it cannot be keyed in again."""
    consultation(PANEL_SLUG).panel_link = PanelLink.MEMBER  # the response keeps its invitation
    db.session.commit()
    codes = _invite_three()
    page = _officer(client)
    token = page.csrf_token()
    assert _start(client, token, codes["WP-002"], "phone").status_code == 303
    _key_in(client, token)
    response = db.session.scalars(sa.select(Response)).one()
    assert _warwick_rate(client) == "Warwick 3 1 33.3%"

    shown = format_reference(response.reference)
    url = url_for("officer.withdraw_response", reference=shown)
    confirm = client.get_page(url)
    assert "will still count" not in confirm.text  # this one can be traced to its invitation
    done = client.post(url, data={"csrf_token": confirm.csrf_token(), "reason": "asked"})
    assert done.status_code == 303

    assert _warwick_rate(client) == "Warwick 3 0 0.0%"
    panel = client.get_page(url_for("officer.panel_results", slug=PANEL_SLUG))
    assert "No panel member has answered through an invitation yet" in panel.text
    db.session.expire_all()
    invitation = db.session.scalars(
        sa.select(Invitation).where(Invitation.code == codes["WP-002"])
    ).one()
    assert invitation.response_id is None and invitation.withdrawn_at is not None
    assert invitation.responded_at is not None  # spent: no reminder, no second use
    again = client.post_page(
        url_for("officer.assisted_start", slug=PANEL_SLUG),
        data={"csrf_token": token, "channel": "paper", "panel_code": codes["WP-002"]},
    )
    assert again.status == 422
    assert "withdrawn, so the code cannot be used again" in again.error_summary()[0]


def test_the_delete_command_stops_counting_the_member_too(app, client):
    """`flask responses delete` erases a response as the officer's withdrawal does: its
    member's invitation stops counting in the rates (it did not, before)."""
    consultation(PANEL_SLUG).panel_link = PanelLink.MEMBER
    db.session.commit()
    codes = _invite_three()
    page = _officer(client)
    assert _start(client, page.csrf_token(), codes["WP-002"], "phone").status_code == 303
    _key_in(client, page.csrf_token())
    response = db.session.scalars(sa.select(Response)).one()
    assert _warwick_rate(client) == "Warwick 3 1 33.3%"
    result = app.test_cli_runner().invoke(
        args=["responses", "delete", format_reference(response.reference)]
    )
    assert result.exit_code == 0, result.output
    assert _warwick_rate(client) == "Warwick 3 0 0.0%"
    db.session.expire_all()
    invitation = db.session.scalars(
        sa.select(Invitation).where(Invitation.code == codes["WP-002"])
    ).one()
    assert invitation.withdrawn_at is not None and invitation.responded_at is not None


def test_withdrawing_a_panel_response_kept_without_its_member_says_the_rates_keep_it(app, client):
    codes = _invite_three()
    page = _officer(client)
    assert _start(client, page.csrf_token(), codes["WP-001"]).status_code == 303
    _key_in(client, page.csrf_token())
    response = db.session.scalars(sa.select(Response)).one()
    confirm = client.get_page(
        url_for("officer.withdraw_response", reference=format_reference(response.reference))
    )
    assert (
        "This panel member's response was kept without a link to them, so the panel's "
        "response rates will still count them as having answered" in confirm.text
    )

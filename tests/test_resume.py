"""Save and come back later: resume codes, the emailed link, and purging expired drafts."""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from flask import url_for

from portal.clock import utcnow
from portal.extensions import db
from portal.responses.models import ResponseDraft
from tests.journeys import BULLYING_ANSWERS, Respondent, only_draft

SLUG = "bullying-what-parents-think"


def _save_on_page_three(client: Any) -> tuple[Respondent, str]:
    respondent = Respondent(client, SLUG)
    respondent.start()
    respondent.answer(1, BULLYING_ANSWERS[0])
    respondent.answer(2, BULLYING_ANSWERS[1])
    response = respondent.answer(3, {**BULLYING_ANSWERS[2], "save_later": "1"})
    assert response.headers["Location"].endswith(url_for("public.saved", slug=SLUG))
    page = client.get_page(response.headers["Location"])
    assert page.h1 == "Your answers have been saved"
    code = page.soup.find(id="resume-code").get_text(strip=True)
    assert re.fullmatch(r"[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}", code)
    return respondent, code


def test_saving_gives_a_code_whose_hash_only_is_stored(client):
    _, code = _save_on_page_three(client)
    draft = only_draft()
    plain = code.replace("-", "")
    assert draft.resume_code_hash == hashlib.sha256(plain.encode()).hexdigest()
    assert plain not in str(draft.answers)
    assert draft.expires_at - utcnow() > timedelta(days=27)
    assert set(draft.answers) == {"school_phase", "school_district", "bullied_last_year"}


def test_the_code_resumes_in_another_browser_once(client, app):
    _, code = _save_on_page_three(client)
    elsewhere = app.test_client()
    page = elsewhere.get_page(url_for("public.resume_response", slug=SLUG))
    assert page.h1 == "Continue your saved response"
    response = elsewhere.post(
        url_for("public.resume_response", slug=SLUG),
        data={"csrf_token": page.csrf_token(), "code": code.lower().replace("-", " ")},
    )
    assert response.status_code == 303
    assert response.headers["Location"].endswith(
        url_for("public.question_page", slug=SLUG, number=4)
    )
    resumed = elsewhere.get_page(response.headers["Location"])
    assert resumed.status == 200
    back = elsewhere.get_page(url_for("public.question_page", slug=SLUG, number=1))
    assert back.soup.find("input", attrs={"value": "secondary"}).has_attr("checked")

    again = app.test_client()
    token = again.get_page(url_for("public.resume_response", slug=SLUG)).csrf_token()
    refused = again.post_page(
        url_for("public.resume_response", slug=SLUG), data={"csrf_token": token, "code": code}
    )
    assert refused.status == 422
    assert refused.error_summary()[0].startswith("That code does not match a saved response")


def test_a_wrong_code_is_refused_and_guessing_is_rate_limited(client, app):
    page = client.get_page(url_for("public.resume_response", slug=SLUG))
    token = page.csrf_token()
    statuses = []
    for _ in range(12):
        statuses.append(
            client.post(
                url_for("public.resume_response", slug=SLUG),
                data={"csrf_token": token, "code": "BCDF-GHJK-MNPQ"},
            ).status_code
        )
    assert statuses[:10] == [422] * 10
    assert statuses[10:] == [429, 429]
    empty = client.post_page(
        url_for("public.resume_response", slug=SLUG), data={"csrf_token": token, "code": ""}
    )
    assert empty.status in (422, 429)


def test_the_link_is_emailed_and_the_address_is_not_kept(client, inbox):
    _, code = _save_on_page_three(client)
    page = client.get_page(url_for("public.saved", slug=SLUG))
    assert "Get a link by email" in page.text
    sent = client.post_page(
        url_for("public.saved", slug=SLUG),
        data={"csrf_token": page.csrf_token(), "email": "parent@example.com"},
    )
    assert "We have emailed a link to parent@example.com" in sent.text
    assert len(inbox.messages) == 1
    message = inbox.messages[0]
    assert message["To"] == "parent@example.com"
    body = message.get_payload(decode=True).decode()
    assert code in body
    assert url_for("public.resume_response", slug=SLUG, code=code, _external=True) in body
    # Nothing the portal stores holds the address.
    for table in db.metadata.sorted_tables:
        for row in db.session.execute(sa.select(table)).all():
            assert "parent@example.com" not in str(row), table.name


def test_a_bad_address_is_refused(client, inbox):
    _save_on_page_three(client)
    page = client.get_page(url_for("public.saved", slug=SLUG))
    refused = client.post_page(
        url_for("public.saved", slug=SLUG), data={"csrf_token": page.csrf_token(), "email": "no"}
    )
    assert refused.status == 422
    assert refused.error_summary() == [
        "Enter an email address in the correct format, like name@example.com"
    ]
    assert inbox.messages == []


def test_without_an_smtp_server_no_email_is_offered(client):
    _save_on_page_three(client)
    page = client.get_page(url_for("public.saved", slug=SLUG))
    assert "Get a link by email" not in page.text


def test_the_emailed_link_fills_in_the_code_but_waits_for_a_button(client, app):
    _, code = _save_on_page_three(client)
    elsewhere = app.test_client()
    page = elsewhere.get_page(url_for("public.resume_response", slug=SLUG, code=code))
    assert page.soup.find(id="code")["value"] == code
    assert only_draft().resume_code_hash is not None  # a GET changes nothing


def test_purge_deletes_only_expired_drafts(app, client):
    Respondent(client, SLUG).start()
    consultation_id = only_draft().consultation_id
    now = utcnow()
    for hours in (1, 30):
        db.session.add(
            ResponseDraft(
                token=f"expired-{hours}",
                consultation_id=consultation_id,
                answers={},
                created_at=now - timedelta(hours=hours + 80),
                updated_at=now - timedelta(hours=hours + 80),
                expires_at=now - timedelta(hours=hours),
            )
        )
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["drafts", "purge"])
    assert result.exit_code == 0, result.output
    assert "Deleted 2 expired unfinished responses." in result.output
    assert db.session.scalar(sa.select(sa.func.count(ResponseDraft.id))) == 1


def test_saving_for_later_is_never_blocked_by_an_unanswered_page(client):
    """A parent who must stop on a page they have not answered can still save: the answers
    given before are kept, and the page waits for them."""
    respondent = Respondent(client, SLUG)
    respondent.start()
    respondent.answer(1, BULLYING_ANSWERS[0])
    response = respondent.answer(2, {"save_later": "1"})  # nothing chosen on page 2
    assert response.headers["Location"].endswith(url_for("public.saved", slug=SLUG))
    page = client.get_page(response.headers["Location"])
    assert page.h1 == "Your answers have been saved"
    assert set(only_draft().answers) == set(BULLYING_ANSWERS[0])
    # Without "save", the same empty page is still refused with its error.
    refused = client.post_page(
        url_for("public.question_page", slug=SLUG, number=2),
        data={"csrf_token": respondent.token},
    )
    assert refused.status == 422 and refused.error_summary()

"""Links that leave the site are built from the configured site address (PORTAL_BASE_URL),
never from the Host a request claims; production refuses other hosts; and emailing a resume
link is rate limited per address and per saved response.

Before: `Host: evil.example` on "Email me a link" had the council email
http://evil.example/...resume?code=..., and 25 such emails went in 0.2 s.
"""

from __future__ import annotations

import secrets

import pytest
from flask import url_for

from portal import create_app
from portal.site_links import site_url_for
from tests.journeys import BULLYING_ANSWERS, Respondent
from tests.mail import body_of

SLUG = "bullying-what-parents-think"
SITE = "https://haveyoursay.warwickshire.gov.uk"


def _save(client) -> None:
    respondent = Respondent(client, SLUG)
    respondent.start()
    respondent.answer(1, BULLYING_ANSWERS[0])
    respondent.answer(2, {**BULLYING_ANSWERS[1], "save_later": "1"})


def _email_link(client, to: str, **request: object):
    page = client.get_page(url_for("public.saved", slug=SLUG))
    return client.post(
        url_for("public.saved", slug=SLUG),
        data={"csrf_token": page.csrf_token(), "email": to},
        **request,
    )


def test_the_emailed_link_is_on_the_site_whatever_host_the_request_names(
    app, client, inbox, monkeypatch
):
    monkeypatch.setitem(app.config, "BASE_URL", SITE)
    _save(client)
    # The same browser session, sending its request to the portal as "evil.example".
    client.set_cookie("session", client.get_cookie("session").value, domain="evil.example")
    response = _email_link(client, "parent@example.com", base_url="http://evil.example")
    assert response.status_code == 200
    body = body_of(inbox.messages[0])
    assert f"{SITE}/consultations/{SLUG}/resume?code=" in body
    assert "evil.example" not in body


def test_every_absolute_link_uses_the_site_address(app, monkeypatch):
    monkeypatch.setitem(app.config, "BASE_URL", SITE)
    with app.test_request_context("/", base_url="http://evil.example"):
        path = url_for("public.channel_link", code="ABC")
        assert site_url_for("public.channel_link", code="ABC") == SITE + path
        assert site_url_for("public.published_results", slug=SLUG).startswith(SITE + "/")
    with app.app_context():  # the command line (panel invitations) has no request at all
        assert site_url_for("public.leave_panel", token="t").startswith(SITE + "/")


def _save_again(client) -> None:
    """ "Save and come back later" once more on the same response: a new resume code."""
    page = client.get_page(url_for("public.question_page", slug=SLUG, number=2))
    client.post(
        url_for("public.question_page", slug=SLUG, number=2),
        data={"csrf_token": page.csrf_token(), **BULLYING_ANSWERS[1], "save_later": "1"},
    )


def test_emailing_a_link_is_limited_per_saved_response(app, client, inbox):
    _save(client)
    statuses = []
    for n in range(1, 6):
        _save_again(client)  # a new resume code each time: still the same response
        response = _email_link(
            client, f"person{n}@example.com", environ_base={"REMOTE_ADDR": f"10.0.0.{n}"}
        )
        statuses.append(response.status_code)
    # Three emails for one saved response an hour, from however many addresses.
    assert statuses == [200, 200, 200, 429, 429]
    assert len(inbox.messages) == 3
    # An hour's limit says so (not "wait a minute").
    assert "Wait an hour and try again." in response.get_data(as_text=True)
    # And the email itself carries a date and an id, as relays and spam filters expect.
    assert inbox.messages[0]["Date"] and inbox.messages[0]["Message-ID"]


def test_emailing_links_is_limited_per_recipient(app, client, inbox, monkeypatch):
    monkeypatch.setitem(app.config, "RESUME_EMAILS_PER_RECIPIENT", "2/day")
    statuses = []
    for n in range(3):  # three saved responses, from three addresses, to one inbox
        browser = app.test_client()
        _save(browser)
        to = ("victim@example.com", "Victim@Example.com", "VICTIM@example.com")[n]
        response = _email_link(browser, to, environ_base={"REMOTE_ADDR": f"10.0.1.{n}"})
        statuses.append(response.status_code)
    assert statuses == [200, 200, 429]
    assert len(inbox.messages) == 2
    assert "Try again tomorrow." in response.get_data(as_text=True)


def test_emailing_links_is_limited_per_client_address(app, client, inbox, monkeypatch):
    monkeypatch.setitem(app.config, "RESUME_EMAIL_RATE_LIMIT", "2/hour")
    statuses = []
    for _ in range(3):  # three people's saved responses, from one address
        client = app.test_client()
        _save(client)
        statuses.append(_email_link(client, "parent@example.com").status_code)
    assert statuses == [200, 200, 429]
    assert len(inbox.messages) == 2


@pytest.fixture
def production(monkeypatch, tmp_path):
    monkeypatch.setenv("PORTAL_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", secrets.token_hex(32))
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'prod.sqlite3'}")
    monkeypatch.setenv("PORTAL_BASE_URL", SITE)
    monkeypatch.setenv("PORTAL_TRUSTED_HOSTS", "127.0.0.1")
    return create_app()


def test_production_refuses_a_request_for_another_host(production):
    client = production.test_client()
    refused = client.get("/healthz", base_url="https://evil.example")
    assert refused.status_code == 400
    assert refused.get_data(as_text=True) == "There is a problem with your request.\n"
    assert client.get("/healthz", base_url=SITE).status_code == 200
    assert client.get("/healthz", base_url="http://127.0.0.1:8000").status_code == 200

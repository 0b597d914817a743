"""Every public page: security headers, titles, no inline script, no cached answers."""

import secrets

import pytest
from flask import url_for

from portal.security import CONTENT_SECURITY_POLICY
from tests.journeys import BULLYING_ANSWERS, Respondent

BULLYING = "bullying-what-parents-think"


def walk_journey(client, check):
    """Call check(url) on every page of a whole journey, at the moment the respondent sees it."""
    respondent = Respondent(client, BULLYING)
    check(url_for("public.index"))
    check(url_for("public.start", slug=BULLYING))
    respondent.start()
    for number, answers in enumerate(BULLYING_ANSWERS, start=1):
        check(url_for("public.question_page", slug=BULLYING, number=number))
        respondent.answer(number, answers)
    check(url_for("public.check_answers", slug=BULLYING))
    respondent.submit()
    check(url_for("public.confirmation", slug=BULLYING))
    check("/no-such-page")


def test_every_page_sends_security_headers_and_is_not_cached(client):
    def check(url):
        response = client.get(url)
        headers = response.headers
        assert headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY, url
        assert "unsafe-inline" not in headers["Content-Security-Policy"]
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["X-Frame-Options"] == "DENY"
        assert headers["Referrer-Policy"] == "same-origin"
        assert headers["Cache-Control"] == "no-store", url
        assert "Strict-Transport-Security" not in headers  # only in production

    walk_journey(client, check)


def test_every_page_has_a_unique_title_and_one_h1(client):
    titles = set()

    def check(url):
        page = client.get_page(url)  # HtmlPage checks ids, inline script and forms
        assert page.title.endswith("Have your say – Warwickshire County Council"), url
        assert len(page.soup.find_all("h1")) == 1, url
        assert page.soup.select_one("main#main-content") is not None
        assert page.soup.select_one("a.govuk-skip-link[href='#main-content']") is not None
        titles.add(page.title)

    walk_journey(client, check)
    # the list, the start page, each question page, check answers, confirmation, not found
    assert len(titles) == len(BULLYING_ANSWERS) + 5


def test_the_council_brand_not_govuk(client):
    page = client.get_page(url_for("public.index"))
    assert page.soup.select_one(".app-header").get_text(strip=True) == "Warwickshire County Council"
    assert "GOV.UK" not in page.text
    assert not page.soup.select(".govuk-header__logotype, .govuk-logo")
    with client.get("/static/vendor/govuk-frontend/govuk-frontend.min.css") as response:
        assert "GDS Transport" not in response.get_data(as_text=True)


def test_static_assets_are_served_locally(client):
    page = client.get_page(url_for("public.index"))
    sources = [s["src"] for s in page.soup.find_all("script")] + [
        link["href"] for link in page.soup.find_all("link", href=True)
    ]
    assert all(src.startswith("/static/") for src in sources), sources
    for src in sources:
        with client.get(src) as response:
            assert response.status_code == 200, src


@pytest.mark.parametrize("method", ["put", "delete"])
def test_unsupported_methods_get_a_page_not_a_trace(client, method):
    response = getattr(client, method)(url_for("public.index"))
    assert response.status_code == 405
    assert "Traceback" not in response.get_data(as_text=True)


def test_production_adds_hsts(monkeypatch, tmp_path):
    from portal import create_app

    monkeypatch.setenv("PORTAL_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", secrets.token_hex(32))
    monkeypatch.setenv("PORTAL_BASE_URL", "https://haveyoursay.warwickshire.gov.uk")
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'prod.sqlite3'}")
    app = create_app()
    with app.test_client().get("/static/css/app.css") as response:
        assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")


def test_security_headers_keep_a_response_s_own_and_cache_only_static_files():
    """The middleware adds each default a response lacks, keeps one it set itself, and
    replaces any caching of a page (never of a static file) with no-store."""
    from werkzeug.test import Client
    from werkzeug.wrappers import Response

    from portal.security import SecurityHeaders

    def app(environ, start_response):
        response = Response("x", headers={"X-Frame-Options": "SAMEORIGIN"})
        response.cache_control.max_age = 60
        return response(environ, start_response)

    client = Client(SecurityHeaders(app, [("X-Frame-Options", "DENY"), ("X-A", "1")], "/static/"))
    page = client.get("/page").headers
    assert page.getlist("X-Frame-Options") == ["SAMEORIGIN"] and page["X-A"] == "1"
    assert page.getlist("Cache-Control") == ["no-store"]
    static = client.get("/static/app.css").headers
    assert static.getlist("Cache-Control") == ["max-age=60"] and static["X-A"] == "1"


def test_a_csrf_token_field_is_written_as_wtforms_own_widget_writes_it(app):
    """portal/forms.py writes the token's hidden input itself, for speed: the same HTML."""
    from portal.forms import PortalForm

    with app.test_request_context():
        field = PortalForm().csrf_token
        assert field.current_token
        for arguments in ({}, {"id": False}, {"id": "theme-csrf"}):
            assert str(field(**arguments)) == str(field.widget(field, **arguments))
        # Anything else is left to the widget.
        assert 'class="x"' in str(field(class_="x"))

"""A parent answers "Bullying: what parents think" in Polish in real Chromium, without
JavaScript: every page in Polish (lang="pl"), checked by axe-core and the Nu HTML Checker,
and the response stored by option, as an English one would be, with its language."""

from __future__ import annotations

import re
from typing import Any

import pytest
import sqlalchemy as sa
from playwright.sync_api import Page, expect

from portal.extensions import db
from portal.responses.models import Response
from tests.browser.conftest import Visit
from tests.browser.test_respondent_journey import fill_page
from tests.journeys import BULLYING_ANSWERS, expected_answers, stored_answers
from tests.translating import polish_offered

BULLYING = "bullying-what-parents-think"


@pytest.fixture
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_context_args, "java_script_enabled": False}


def _in_polish(page: Page, visit: Visit) -> None:
    expect(page.locator("html")).to_have_attribute("lang", "pl")
    expect(page.locator(".app-language-select [aria-current]")).to_have_text("Polski")
    visit.check()


def test_a_parent_answers_in_polish_without_javascript(page: Page, live_server: str, browser):
    polish_offered()
    assert page.evaluate("typeof htmx") == "undefined"  # the site's scripts really do not run
    checker = browser.new_context()
    visit = Visit(page, checker.new_page())

    page.goto(f"{live_server}/consultations/{BULLYING}")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    visit.check()
    page.locator(".app-language-select a[hreflang='pl']").click()
    expect(page).to_have_url(re.compile(rf"/consultations/{BULLYING}$"))
    expect(page.locator("h1")).to_have_text("Przemoc rówieśnicza: co sądzą rodzice")
    _in_polish(page, visit)

    page.locator("button.govuk-button--start").click()
    expect(page).to_have_url(re.compile(r"/pages/1$"))
    _in_polish(page, visit)
    # Nothing chosen: the error summary and the message are Polish.
    page.locator("main form button[type='submit']:not([name='save_later'])").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    expect(page).to_have_title(re.compile(r"^Błąd: "))
    _in_polish(page, visit)

    for number, answers in enumerate(BULLYING_ANSWERS, start=1):
        expect(page).to_have_url(re.compile(rf"/pages/{number}$"))
        fill_page(page, answers)
        page.locator("main form button[type='submit']:not([name='save_later'])").click()
        _in_polish(page, visit)
    expect(page).to_have_url(re.compile(r"/check-answers$"))
    expect(page.locator("main")).to_contain_text("Rugby")
    page.locator("main form button[type='submit']").last.click()
    expect(page).to_have_url(re.compile(r"/confirmation$"))
    _in_polish(page, visit)
    checker.close()
    assert len(visit.checked) >= 18

    db.session.expire_all()
    response = db.session.scalars(sa.select(Response)).one()
    assert response.language == "pl"
    assert stored_answers(response) == expected_answers(BULLYING_ANSWERS)

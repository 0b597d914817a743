"""A consultation in a language written right to left, answered in real Chromium.

None ships yet (Urdu and Arabic are among the languages a council would add next), so the
test adds one for its own run: Urdu in the list of languages, with the bullying consultation's
texts "translated" as their English. What is tested is the page, not the words: every page
says `dir="rtl"`, passes axe-core and the Nu HTML Checker (every page the app serves in a test
is checked), and the journey works with HTMX swapping pages in place."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from playwright.sync_api import Page, expect

from portal import i18n
from portal.clock import utcnow
from portal.consultations import translations
from portal.consultations.service import consultation_with_questions
from portal.extensions import db
from portal.responses.models import Response
from tests.browser.conftest import Visit
from tests.browser.test_respondent_journey import fill_page
from tests.factories import create_user
from tests.journeys import BULLYING_ANSWERS, expected_answers, stored_answers

BULLYING = "bullying-what-parents-think"
URDU = i18n.Language("ur", "Urdu", "اردو", right_to_left=True)


@pytest.fixture
def urdu_offered(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(i18n.LANGUAGES, URDU.code, URDU)
    for module in (i18n, translations):
        monkeypatch.setattr(module, "TRANSLATED", (*module.TRANSLATED, URDU.code))
    consultation = consultation_with_questions(BULLYING)
    assert consultation is not None
    row = translations.add_language(consultation, URDU.code)
    texts = {s.key: (s.english, s.english) for s in translations.source_texts(consultation)}
    translations.save_translations(consultation, row, texts, utcnow())
    translations.mark_checked(consultation, row, create_user(), utcnow())


def _right_to_left(page: Page, visit: Visit) -> None:
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("html")).to_have_attribute("lang", "ur")
    visit.check()


@pytest.mark.usefixtures("urdu_offered")
def test_a_consultation_in_a_right_to_left_language_reads_right_to_left(
    page: Page, live_server: str
):
    visit = Visit(page)
    page.goto(f"{live_server}/consultations/{BULLYING}")
    expect(page.locator("html")).not_to_have_attribute("dir", "rtl")
    page.locator(".app-language-select a[hreflang='ur']").click()
    expect(page.locator(".app-language-select [aria-current]")).to_have_text("اردو")
    _right_to_left(page, visit)
    # The page really is laid out from the right: the heading starts at the right edge.
    heading = page.locator("h1").bounding_box()
    main = page.locator("main").bounding_box()
    assert heading is not None and main is not None
    assert abs((heading["x"] + heading["width"]) - (main["x"] + main["width"])) < 2

    page.locator("button.govuk-button--start").click()
    expect(page).to_have_url(re.compile(r"/pages/1$"))
    _right_to_left(page, visit)
    # An error too: its red bar runs down the right of the question, where the text starts.
    page.locator("main form button[type='submit']:not([name='save_later'])").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    _right_to_left(page, visit)
    group = page.locator(".govuk-form-group--error")
    assert group.evaluate("e => getComputedStyle(e).borderRightWidth") == "5px"
    assert group.evaluate("e => getComputedStyle(e).borderLeftWidth") == "0px"
    radio = page.locator(".govuk-radios__item").first.bounding_box()
    circle = page.locator(".govuk-radios__input").first.bounding_box()
    assert radio is not None and circle is not None
    assert circle["x"] + circle["width"] > radio["x"] + radio["width"] - 50  # at the right
    for number, answers in enumerate(BULLYING_ANSWERS, start=1):
        fill_page(page, answers)
        page.locator("main form button[type='submit']:not([name='save_later'])").click()
        following = f"/pages/{number + 1}" if number < len(BULLYING_ANSWERS) else "/check-answers"
        expect(page).to_have_url(re.compile(rf"{following}$"))
        _right_to_left(page, visit)
    page.locator("main form button[type='submit']").last.click()
    expect(page).to_have_url(re.compile(r"/confirmation$"))
    _right_to_left(page, visit)

    db.session.expire_all()
    response = db.session.scalars(sa.select(Response)).one()
    assert response.language == "ur"
    assert stored_answers(response) == expected_answers(BULLYING_ANSWERS)

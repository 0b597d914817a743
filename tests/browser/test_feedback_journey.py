"""A parent sends a response, follows "What did you think of this service?", meets the error
for an empty form, gives a rating and a comment and is thanked; an officer reads it. axe-core
checks every page visited."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from portal.accounts.models import Role
from tests.browser.conftest import Visit
from tests.browser.test_respondent_journey import fill_page
from tests.browser.test_schools_journey import sign_in
from tests.factories import create_user
from tests.journeys import BULLYING_ANSWERS

SLUG = "bullying-what-parents-think"


def test_feedback_from_the_confirmation_page(page: Page, live_server: str):
    visit = Visit(page)
    page.goto(f"{live_server}/consultations/{SLUG}")
    page.get_by_role("button", name="Start now").click()
    for number, answers in enumerate(BULLYING_ANSWERS, start=1):
        expect(page.locator(".app-progress")).to_have_text(
            re.compile(rf"Page {number} of (up to )?\d+$")
        )
        fill_page(page, answers)
        page.get_by_role("button", name="Continue").click()
    page.get_by_role("button", name="Accept and send").click()
    expect(page.locator("h1")).to_have_text("Response sent")
    visit.check()

    page.get_by_role("link", name="What did you think of this service?").click()
    expect(page.locator("h1")).to_have_text("Give feedback on Have your say")
    visit.check()
    page.get_by_role("button", name="Send feedback").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Select a rating or write a comment"
    )
    visit.check()
    page.get_by_label("Satisfied", exact=True).check()
    page.get_by_label("How could we improve this service?").fill("Fewer questions, please")
    expect(page.locator(".govuk-character-count__status")).to_have_text(
        "You have 1,177 characters remaining"
    )
    page.get_by_role("button", name="Send feedback").click()
    expect(page.locator("h1")).to_have_text("Thank you for your feedback")
    visit.check()

    officer = create_user(Role.OFFICER, email="feedback.officer@council.example")
    sign_in(page, live_server, officer.email, visit, "Consultations")
    page.get_by_role("link", name="Feedback on the service").click()
    expect(page.locator("h1")).to_have_text("Feedback on the service")
    expect(page.locator(".app-comment")).to_contain_text("Fewer questions, please")
    expect(page.locator(".app-comment")).to_contain_text("Satisfied")
    visit.check()

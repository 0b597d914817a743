"""Screenshots of the key pages, for the README: the start of a consultation, a question with
an error, checking answers, an officer's results beside the strategy outcomes, a school's
page, feedback on the service, an admin's page for a staff account, and a confirmation page.
`make screenshots` (PORTAL_UPDATE_SCREENSHOTS=1) writes them to docs/screenshots/; otherwise
they go to a temporary folder, so `make test` leaves the checkout as it was."""

from __future__ import annotations

import os
import re
from pathlib import Path

from playwright.sync_api import Page, expect

from portal.accounts.models import Role
from tests.browser.conftest import Visit
from tests.browser.test_accessibility_crawl import _sign_in
from tests.factories import create_user, submit_response
from tests.journeys import BULLYING_ANSWERS
from tests.test_access import _a_school_with_a_channel

SLUG = "bullying-what-parents-think"
DOCS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def _folder(tmp_path: Path) -> Path:
    if os.environ.get("PORTAL_UPDATE_SCREENSHOTS") == "1":
        DOCS.mkdir(parents=True, exist_ok=True)
        return DOCS
    return tmp_path


def _shoot(page: Page, visit: Visit, folder: Path, name: str, clip: dict | None = None) -> None:
    visit.check()
    path = folder / f"{name}.png"
    # caret="initial": hiding the caret means injecting a style, which the CSP (rightly) refuses.
    page.screenshot(path=str(path), full_page=True, caret="initial", clip=clip)
    assert path.stat().st_size > 10_000, name


def test_screenshots_of_the_key_pages(page: Page, browser, live_server: str, tmp_path):
    folder = _folder(tmp_path)
    page.set_viewport_size({"width": 1024, "height": 768})
    visit = Visit(page)
    page.goto(f"{live_server}/consultations/{SLUG}")
    _shoot(page, visit, folder, "1-consultation-start")
    page.get_by_role("button", name="Start now").click()
    page.get_by_role("button", name="Continue").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    _shoot(page, visit, folder, "2-question-with-an-error")
    for number, answers in enumerate(BULLYING_ANSWERS, start=1):
        page.goto(f"{live_server}/consultations/{SLUG}/pages/{number}")
        for name, value in answers.items():
            for item in value if isinstance(value, list) else [value]:
                field = page.locator(f'[name="{name}"]').first
                if field.get_attribute("type") in ("radio", "checkbox"):
                    page.locator(f'[name="{name}"][value="{item}"]').check()
                elif item:
                    field.fill(item)
        page.get_by_role("button", name="Continue").click()
        # The answer is saved (and its routing known) before the next page is asked for.
        expect(page).not_to_have_url(re.compile(f"/pages/{number}$"))
    expect(page.locator("h1")).to_have_text("Check your answers before sending them")
    _shoot(page, visit, folder, "3-check-answers")
    page.get_by_role("button", name="Accept and send").click()
    page.get_by_role("link", name="What did you think of this service?").click()
    expect(page.locator("h1")).to_have_text("Give feedback on Have your say")
    _shoot(page, visit, folder, "6-feedback-on-the-service")

    bullied = ["yes"] * 5 + ["no"] * 9 + ["not_sure"] * 3
    where = ["at_school", "online", "at_school", "journey", "online", "local_area"]
    for number, answer in enumerate(bullied):
        submit_response(
            SLUG,
            {
                "bullied_last_year": {"selected": [answer]},
                "bullying_where": {"selected": [where[number % len(where)]]},
            },
        )
    officer_page = browser.new_page(viewport={"width": 1280, "height": 900})
    officer_visit = Visit(officer_page)
    _sign_in(officer_page, live_server, create_user(Role.OFFICER).email)
    create_user(Role.OFFICER, email="officer.for.screenshot@council.example")
    officer_page.goto(f"{live_server}/officer/consultations/{SLUG}/results")
    # One outcome with its key tasks and its first question's results: the whole page runs to
    # every question's chart and table.
    outcome = officer_page.locator("h2", has_text="2.2.3").first.bounding_box()
    assert outcome is not None
    clip = {"x": 0, "y": outcome["y"] - 40, "width": 1280, "height": 1500}
    _shoot(officer_page, officer_visit, folder, "4-officer-results-beside-outcomes", clip)

    school_id, _, _ = _a_school_with_a_channel()
    school_page = browser.new_page(viewport={"width": 1024, "height": 768})
    school_visit = Visit(school_page)
    _sign_in(school_page, live_server, create_user(Role.SCHOOL, school_id=school_id).email)
    _shoot(school_page, school_visit, folder, "5-school-page")

    # An admin's page for a member of staff: no password on screen, a link to choose one, and
    # disabling behind a confirmation page.
    admin_page = browser.new_page(viewport={"width": 1024, "height": 768})
    admin_visit = Visit(admin_page)
    _sign_in(admin_page, live_server, create_user(Role.ADMIN).email, code=True)
    admin_page.get_by_role("link", name="Users").click()
    admin_page.get_by_role("link", name="officer.for.screenshot@council.example").click()
    expect(admin_page.locator("h1")).to_have_text("officer.for.screenshot@council.example")
    _shoot(admin_page, admin_visit, folder, "7-staff-account")

    # What cannot be undone asks first, on a page of its own.
    officer_page.goto(f"{live_server}/officer/consultations/{SLUG}/close")
    expect(officer_page.locator("h1")).to_contain_text("Are you sure you want to close")
    _shoot(officer_page, officer_visit, folder, "8-confirm-before-closing")

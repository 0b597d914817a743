"""An officer gives every Rugby school a link; a parent responds through one; that school sees
"fewer than 10" and no answers; another school cannot reach it; the officer sees the exact
count. axe-core checks every page visited."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Browser, Page, expect

from portal.accounts.models import Role
from portal.schools.models import District, School
from portal.schools.service import import_schools, schools_in
from tests.browser.conftest import Visit
from tests.browser.test_respondent_journey import fill_page
from tests.factories import PASSWORD, create_user
from tests.journeys import BULLYING_ANSWERS

DEMO = Path(__file__).resolve().parents[2] / "portal" / "data" / "schools-demo.csv"
SLUG = "bullying-what-parents-think"


def sign_in(page: Page, live_server: str, email: str, visit: Visit, heading: str) -> None:
    page.goto(live_server + "/staff/sign-in")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("h1")).to_have_text(heading)
    visit.check()


def test_a_school_link_counts_a_parent_without_showing_answers(
    page: Page, browser: Browser, live_server: str
):
    with DEMO.open(encoding="utf-8", newline="") as handle:
        import_schools(handle)
    officer = create_user(Role.OFFICER, email="schools.officer@council.example")
    visit = Visit(page)

    # The officer makes a link for every school in Rugby.
    sign_in(page, live_server, officer.email, visit, "Consultations")
    page.goto(f"{live_server}/officer/consultations/{SLUG}/build")
    page.get_by_role("link", name="Links for schools and outlets").click()
    expect(page.locator("h1")).to_have_text("Distribution")
    visit.check()
    page.get_by_label("District").select_option(label="Rugby")
    page.get_by_role("button", name="Create links for the district's schools").click()
    expect(page.locator(".app-flash-message")).to_have_text("Created links for 8 schools in Rugby")
    visit.check()

    # One school's link, QR code and letter.
    school_name = "Bilton Community Primary School"
    page.get_by_role("link", name=f"Link, QR code and letter for {school_name}").click()
    expect(page.locator("h1")).to_have_text(school_name)
    visit.check()
    link = page.locator("#channel-link").get_attribute("href")
    assert link is not None and "/c/" in link
    page.get_by_role("link", name="Letter to print or email").click()
    expect(page.locator(".app-letter-link")).to_have_text(link)
    visit.check()
    page.get_by_role("button", name="Sign out").click()
    # Wait for it: a page opened while the sign-out is still running could have its session
    # cleared by it (the password link kept there would then read as expired).
    expect(page.locator(".govuk-notification-banner")).to_contain_text("You have signed out")

    # A parent opens the school's link and responds.
    parent = browser.new_page()
    parent_visit = Visit(parent)
    parent.goto(link)
    expect(parent.locator(".app-via-channel")).to_contain_text("never sees your answers")
    parent_visit.check()
    parent.get_by_role("button", name="Start now").click()
    for number, answers in enumerate(BULLYING_ANSWERS, start=1):
        # (the count grows as "Yes" answers bring in the pages about the bullying)
        expect(parent.locator(".app-progress")).to_have_text(
            re.compile(rf"Page {number} of (up to )?\d+$")
        )
        fill_page(parent, answers)
        parent.get_by_role("button", name="Continue").click()
    parent.get_by_role("button", name="Accept and send").click()
    expect(parent.locator("h1")).to_have_text("Response sent")
    parent_visit.check()
    parent.close()

    # The school sees "fewer than 10", and no answers.
    bilton = next(s for s in _rugby_schools() if s.name == school_name)
    school_user = create_user(Role.SCHOOL, email="office@bilton.example", school_id=bilton.id)
    school_page = browser.new_page()
    school_visit = Visit(school_page)
    sign_in(school_page, live_server, school_user.email, school_visit, "Your school's links")
    row = school_page.locator("tbody tr", has_text="Bullying: what parents think")
    expect(row.locator("td").nth(1)).to_have_text("fewer than 10")
    school_page.get_by_role("link", name="Bullying: what parents think").click()
    expect(school_page.locator("#total-responses")).to_have_text("fewer than 10")
    expect(school_page.locator("main")).not_to_contain_text("At the bus stop")
    school_visit.check()
    school_channel_url = school_page.url
    school_page.close()

    # Another Rugby school's user cannot reach it.
    other = next(s for s in _rugby_schools() if s.name != school_name)
    other_user = create_user(Role.SCHOOL, email="office@other.example", school_id=other.id)
    other_page = browser.new_page()
    other_visit = Visit(other_page)
    sign_in(other_page, live_server, other_user.email, other_visit, "Your school's links")
    response = other_page.goto(school_channel_url)
    assert response is not None and response.status == 403
    expect(other_page.locator("h1")).to_contain_text("permission")
    other_page.close()

    # The officer sees the exact count by school.
    sign_in(page, live_server, officer.email, visit, "Consultations")
    page.goto(f"{live_server}/officer/consultations/{SLUG}/distribution?sort=responses")
    first = page.locator("#by-school tbody tr").first
    expect(first.locator("th")).to_have_text(school_name)
    expect(first.locator("td").nth(1)).to_have_text("1")
    visit.check()


def _rugby_schools() -> list[School]:
    return schools_in(District.RUGBY)

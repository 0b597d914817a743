"""After a parent responds, an officer signs in and sees the answer counted under its outcome."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from portal.accounts.models import Role
from tests.browser.conftest import Visit
from tests.browser.test_respondent_journey import fill_page
from tests.factories import PASSWORD, create_user
from tests.journeys import BULLYING_ANSWERS


def test_officer_sees_a_parents_answer_under_its_outcome(page: Page, live_server: str):
    officer = create_user(Role.OFFICER, email="results.officer@council.example")
    visit = Visit(page)

    # A parent responds.
    page.goto(live_server + "/consultations/bullying-what-parents-think")
    page.get_by_role("button", name="Start now").click()
    for number, answers in enumerate(BULLYING_ANSWERS, start=1):
        # (the count grows as "Yes" answers bring in the pages about the bullying)
        expect(page.locator(".app-progress")).to_have_text(
            re.compile(rf"Page {number} of (up to )?\d+$")
        )
        fill_page(page, answers)
        page.get_by_role("button", name="Continue").click()
    page.get_by_role("button", name="Accept and send").click()
    expect(page.locator("h1")).to_have_text("Response sent")

    # An officer signs in: an officer page sends them to sign in first.
    page.goto(live_server + "/officer/")
    expect(page).to_have_url(re.compile(r"/staff/sign-in\?next="))
    visit.check()
    page.get_by_label("Email address").fill(officer.email)
    page.get_by_label("Password").fill("wrong password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Enter a correct email address and password"
    )
    visit.check()
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("h1")).to_have_text("Consultations")
    visit.check()
    row = page.locator("#consultation-bullying-what-parents-think")
    expect(row.locator("td").nth(-2)).to_have_text("1")

    row.locator("th a").click()
    expect(page.locator("h1")).to_have_text("Bullying: what parents think")
    visit.check()
    outcome = page.locator("[id='outcome-2.2.3']")
    expect(outcome.locator("h2")).to_contain_text("2.2.3 Early identification")
    # The outcome's measured indicators are beside the answers.
    expect(outcome.locator("#indicator-young-entrants-10-13-change")).to_contain_text("\u221255%")
    bullied = outcome.locator("[id='result-2.2.3-bullied_last_year']")
    expect(bullied).to_contain_text("1 answered, 0 skipped")
    # The figures once: a table whose percentages carry their bars.
    expect(bullied.locator("table")).to_have_count(1)
    yes_row = bullied.locator("table tbody tr", has_text="Yes")
    expect(yes_row.locator("td")).to_have_text(["1", "100.0%"])
    # The contents list at the top leads to each outcome.
    page.locator(".app-contents-list").get_by_role("link", name=re.compile("^2.2.3 ")).click()
    expect(page).to_have_url(re.compile(r"#outcome-2\.2\.3$"))
    # Printed, the filters and downloads are left out and the figures stay.
    page.emulate_media(media="print")
    expect(page.locator("#filters")).to_be_hidden()
    expect(page.get_by_role("link", name="CSV").first).to_be_hidden()
    expect(yes_row).to_be_visible()
    page.emulate_media(media="screen")
    comments = outcome.locator("[id='comments-2.2.3-comments']")
    expect(comments).to_contain_text("Please <script>alert(1)</script> act.")

    page.get_by_role("link", name="Strategy").click()
    expect(page.locator("h1")).to_have_text("Reducing Crime and Disorder Strategy")
    visit.check()
    page.get_by_role("link", name="4. Young People as Victims and Offenders").click()
    visit.check()
    page.get_by_role(
        "link", name="Add a value for Permanent exclusions from Warwickshire schools"
    ).click()
    visit.check()
    page.get_by_label("Period").fill("2004/05")
    page.get_by_label("Value", exact=True).fill("85")
    page.get_by_label("Source").fill("DfES exclusion statistics")
    page.get_by_role("button", name="Save value").click()
    indicator = page.locator("#indicator-permanent-exclusions")
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "Value added to \u201cPermanent exclusions from Warwickshire schools\u201d"
    )
    expect(indicator).to_contain_text("2004/05")
    expect(indicator).to_contain_text("Improving (2003/4 to 2004/05)")
    visit.check()

    page.get_by_role("button", name="Sign out").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("You have signed out")
    visit.check()

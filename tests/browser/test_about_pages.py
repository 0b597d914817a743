"""The privacy notices and the accessibility statement, reached from the footer; axe-core
checks each."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.browser.conftest import Visit


def test_the_footer_leads_to_every_privacy_notice_and_the_statement(page: Page, live_server: str):
    visit = Visit(page)
    page.goto(live_server + "/")
    page.locator("footer").get_by_role("link", name="Privacy").click()
    expect(page.locator("h1")).to_have_text("Privacy")
    visit.check()
    for name in (
        "Parents and carers, and anyone answering a consultation",
        "Members of the Warwickshire Panel and user groups",
        "School staff",
    ):
        page.goto(live_server + "/privacy")
        page.locator("main").get_by_role("link", name=name).click()
        expect(page.locator("h1")).to_have_text(name)
        visit.check()
    page.locator("footer").get_by_role("link", name="Accessibility statement").click()
    expect(page.locator("h1")).to_have_text("Accessibility statement for Have your say")
    visit.check()

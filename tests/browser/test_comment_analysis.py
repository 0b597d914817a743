"""An officer searches comments, codes one with a theme in place, and quotes another with a
name taken out."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.browser.conftest import Visit, sign_in_officer
from tests.factories import submit_response

BULLYING = "bullying-what-parents-think"


def test_officer_themes_and_quotes_comments(page: Page, live_server: str):
    submit_response(BULLYING, {"comments": {"text": "Jack Smith in year 8 sends messages online"}})
    submit_response(BULLYING, {"comments": {"text": "Nothing was done about the bus"}})
    visit = Visit(page)
    sign_in_officer(page, live_server)
    page.goto(f"{live_server}/officer/consultations/{BULLYING}/results")
    page.get_by_role("link", name="Search, theme and quote these comments").click()
    expect(page.locator("h1")).to_contain_text("Is there anything else")
    visit.check()

    page.get_by_label("Theme", exact=True).fill("Online bullying")
    page.get_by_role("button", name="Add theme").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "Theme \u201cOnline bullying\u201d added"
    )
    visit.check()

    page.get_by_label("Search the comments").fill("ONLINE")
    page.get_by_role("button", name="Search").click()
    expect(page.locator(".app-comment")).to_have_count(1)
    comment = page.locator(".app-comment").first
    comment.locator("summary").click()
    comment.get_by_label("Online bullying").check()
    comment.get_by_role("button", name="Save themes").click()
    expect(page.locator(".app-comment").first.locator(".app-theme-tag")).to_have_text(
        "Online bullying"
    )
    visit.check()

    page.locator(".app-comment").first.get_by_role(
        "link", name="Quote in the published results"
    ).click()
    expect(page.locator("h1")).to_have_text("Quote a comment in the published results")
    visit.check()
    page.get_by_label("Words to publish").fill("[name removed] sends messages online")
    page.get_by_role("button", name="Approve for publication").click()
    expect(page.locator(".app-comment").first).to_contain_text("Quotable")
    visit.check()

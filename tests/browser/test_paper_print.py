"""The paper copy as a printer sees it: the site's header, navigation and footer are left off,
each part starts a new sheet, and the questions and tick boxes are there. axe-core checks it."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.browser.conftest import Visit


def test_the_paper_copy_prints_without_the_website_around_it(page: Page, live_server: str):
    visit = Visit(page)
    page.goto(f"{live_server}/consultations/bullying-what-parents-think/paper")
    visit.check()
    page.emulate_media(media="print")
    for chrome in (".govuk-header", ".govuk-footer", ".govuk-service-navigation", ".app-no-print"):
        expect(page.locator(chrome).first).to_be_hidden()
    expect(page.locator(".app-paper-question h3").first).to_have_text(
        "1. What type of school does your child go to?"
    )
    expect(page.locator(".app-paper-box").first).to_be_visible()
    breaks = page.eval_on_selector_all(
        ".app-paper-page", "all => all.map(s => getComputedStyle(s).breakBefore)"
    )
    assert breaks and set(breaks) == {"page"}
    pdf = page.pdf(format="A4")
    assert pdf.startswith(b"%PDF") and len(pdf) > 20_000

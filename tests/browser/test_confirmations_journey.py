"""Closing a consultation and removing a panel member each ask first, on a page of their own:
Cancel changes nothing, the button does it. axe-core checks every page visited."""

from __future__ import annotations

from datetime import date

from playwright.sync_api import Page, expect

from portal.extensions import db
from portal.panel.models import PanelMember
from tests.browser.conftest import Visit, sign_in_officer

BULLYING = "bullying-what-parents-think"


def test_close_now_and_remove_member_ask_first(page: Page, live_server: str):
    db.session.add(
        PanelMember(
            reference="WP-300",
            name="Eve Example",
            email="eve@example.com",
            consent_given_on=date(2021, 1, 1),
            consent_wording="I agree",
            leave_token="leave-300",
        )
    )
    db.session.commit()
    visit = Visit(page)
    sign_in_officer(page, live_server)

    page.goto(f"{live_server}/officer/consultations/{BULLYING}/build")
    page.get_by_role("button", name="Close now").click()
    expect(page.locator("h1")).to_have_text(
        "Are you sure you want to close \u2018Bullying: what parents think\u2019 now?"
    )
    expect(page.locator(".govuk-warning-text")).to_contain_text("no one can send a response")
    visit.check()
    page.get_by_role("link", name="Cancel").click()
    expect(page.locator("#consultation-status")).to_have_text("Open")
    page.get_by_role("button", name="Close now").click()
    page.get_by_role("button", name="Close now").click()
    expect(page.locator("#consultation-status")).to_have_text("Closed")
    expect(page.locator(".app-flash-message")).to_have_text(
        "Closed: no more responses will be accepted"
    )

    page.goto(f"{live_server}/officer/panel/members/WP-300")
    page.get_by_role("button", name="Remove from the register member WP-300").click()
    expect(page.locator("h1")).to_have_text(
        "Are you sure you want to remove Eve Example (WP-300) from the panel register?"
    )
    visit.check()
    page.get_by_role("button", name="Remove from the register").click()
    expect(page.locator("h1")).to_have_text("Panel members")
    expect(page.locator(".app-flash-message")).to_contain_text("Removed WP-300")
    visit.check()

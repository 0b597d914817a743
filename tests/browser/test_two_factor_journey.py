"""An admin's first sign-in: password, then setting up two-factor authentication by typing the
key shown into an "app", then the recovery codes; the next sign-in asks for a code. axe-core
checks every page visited."""

from __future__ import annotations

import pyotp
from playwright.sync_api import Page, expect

from portal.accounts.models import Role
from tests.browser.conftest import Visit
from tests.factories import PASSWORD, create_user


def _password(page: Page, live_server: str, email: str, visit: Visit) -> None:
    page.goto(live_server + "/staff/sign-in")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    visit.check()


def test_an_admin_sets_up_two_factor_and_signs_in_with_a_code(page: Page, live_server: str):
    admin = create_user(Role.ADMIN, email="first.admin@council.example", totp_secret=None)
    visit = Visit(page)
    _password(page, live_server, admin.email, visit)
    expect(page.locator("h1")).to_have_text("Set up two-factor authentication")
    expect(page.get_by_role("img", name="QR code to add this account")).to_be_visible()
    key = "".join(page.locator(".app-setup-key code").inner_text().split())

    page.get_by_label("Code").fill("000000")
    page.get_by_role("button", name="Turn on two-factor authentication").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter a correct code")
    visit.check()

    page.get_by_label("Code").fill(pyotp.TOTP(key).now())
    page.get_by_role("button", name="Turn on two-factor authentication").click()
    expect(page.locator("h1")).to_have_text("Two-factor authentication is on")
    expect(page.locator(".app-recovery-codes li")).to_have_count(10)
    recovery = page.locator(".app-recovery-codes li").first.inner_text()
    visit.check()
    page.get_by_role("link", name="I have saved my codes: continue").click()
    expect(page.locator("h1")).to_have_text("Two-factor authentication")
    expect(page.get_by_text("You have 10 unused recovery codes")).to_be_visible()
    visit.check()

    page.get_by_role("button", name="Sign out").click()
    _password(page, live_server, admin.email, visit)
    expect(page.locator("h1")).to_have_text("Enter your code")
    page.get_by_label("Code").fill(recovery)
    page.get_by_role("button", name="Continue").click()
    expect(page.locator("h1")).to_have_text("Consultations")
    visit.check()

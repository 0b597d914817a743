"""An admin creates an officer's account; the officer chooses a password through the emailed
link and signs in. An officer who forgot their password resets it by email, then changes it.
An admin disables a leaver after a confirmation page. axe-core checks every page visited."""

from __future__ import annotations

import re
import time

from playwright.sync_api import Page, expect

from portal.accounts.models import Role
from tests.browser.conftest import Visit
from tests.factories import PASSWORD, create_user, totp_now
from tests.mail import Inbox, body_of

LINK = re.compile(r"https?://\S+/staff/password-link/\S+")


def _emailed_link(inbox: Inbox, to: str) -> str:
    """The link in the latest email to `to` (sent just after the page answered)."""
    for _ in range(100):
        found = [m for m in inbox.messages if m["To"] == to]
        if found:
            match = LINK.search(body_of(found[-1]))
            assert match is not None
            return match.group(0)
        time.sleep(0.05)
    raise AssertionError(f"no email to {to}")


def _sign_in(page: Page, live_server: str, email: str, password: str, visit: Visit) -> None:
    page.goto(live_server + "/staff/sign-in")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()
    visit.check()


def _choose_password(page: Page, password: str, button: str, visit: Visit) -> None:
    page.get_by_label("New password", exact=True).fill(password)
    page.get_by_label("Confirm new password").fill(password)
    page.get_by_role("button", name=button).click()
    expect(page.locator("h1")).to_have_text("Sign in")
    expect(page.locator(".app-flash-message")).to_have_text(
        "Your password is set. Sign in with it now."
    )
    visit.check()


def test_an_admin_creates_an_officer_who_chooses_a_password_and_signs_in(
    page: Page, live_server: str, inbox: Inbox
):
    admin = create_user(Role.ADMIN, email="accounts.admin@council.example")
    create_user(Role.OFFICER, email="leaver@council.example")
    visit = Visit(page)
    _sign_in(page, live_server, admin.email, PASSWORD, visit)
    page.get_by_label("Code").fill(totp_now())
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("link", name="Users").click()
    expect(page.locator("h1")).to_have_text("Users")
    visit.check()

    # A leaver is disabled, after a page that asks first.
    page.get_by_role("link", name="leaver@council.example").click()
    page.get_by_role("link", name="Disable account").click()
    expect(page.locator("h1")).to_have_text("Disable leaver@council.example?")
    visit.check()
    page.get_by_role("button", name="Disable account").click()
    expect(page.locator(".app-flash-message")).to_have_text(
        "leaver@council.example is disabled and signed out everywhere."
    )
    visit.check()

    page.get_by_role("link", name="Users").click()
    page.get_by_role("link", name="Create an account").click()
    expect(page.locator("h1")).to_have_text("Create an account")
    page.get_by_role("button", name="Create account").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter their email address")
    visit.check()
    page.get_by_label("Email address").fill("new.officer@council.example")
    page.get_by_label("Officer", exact=True).check()
    page.get_by_role("button", name="Create account").click()
    expect(page.locator("h1")).to_have_text("new.officer@council.example")
    expect(page.locator(".app-flash-message")).to_contain_text("We have emailed")
    visit.check()
    link = _emailed_link(inbox, "new.officer@council.example")
    page.get_by_role("button", name="Sign out").click()
    # Wait for it: a page opened while the sign-out is still running could have its session
    # cleared by it (the password link kept there would then read as expired).
    expect(page.locator(".govuk-notification-banner")).to_contain_text("You have signed out")

    page.goto(link)
    expect(page.locator("h1")).to_have_text("Create your password")
    visit.check()
    _choose_password(page, "my chosen password", "Create password", visit)
    _sign_in(page, live_server, "new.officer@council.example", "my chosen password", visit)
    expect(page.locator("h1")).to_have_text("Consultations")


def test_a_forgotten_password_is_reset_by_email_then_changed(
    page: Page, live_server: str, inbox: Inbox
):
    officer = create_user(Role.OFFICER, email="forgetful@council.example")
    visit = Visit(page)
    page.goto(live_server + "/staff/sign-in")
    page.get_by_role("link", name="Forgotten your password?").click()
    expect(page.locator("h1")).to_have_text("Reset your password")
    visit.check()
    page.get_by_label("Email address").fill(officer.email)
    page.get_by_role("button", name="Send the link").click()
    expect(page.locator("h1")).to_have_text("Check your email")
    visit.check()

    page.goto(_emailed_link(inbox, officer.email))
    expect(page.locator("h1")).to_have_text("Choose a new password")
    visit.check()
    _choose_password(page, "remembered at last", "Save new password", visit)
    _sign_in(page, live_server, officer.email, "remembered at last", visit)
    expect(page.locator("h1")).to_have_text("Consultations")

    page.get_by_role("link", name="change your password").click()
    expect(page.locator("h1")).to_have_text("Change your password")
    page.get_by_label("Current password").fill("remembered at last")
    page.get_by_label("New password", exact=True).fill("and changed again")
    page.get_by_label("Confirm new password").fill("and changed again")
    page.get_by_role("button", name="Change password").click()
    expect(page.locator(".app-flash-message")).to_contain_text("Your password is changed.")
    visit.check()

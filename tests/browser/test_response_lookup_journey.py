"""An officer keys in a panel member's telephone answers with the code from their letter (a
mistyped code refused first), then finds a parent's response by the reference they quote,
corrects an answer and withdraws it at their request. axe-core checks every page visited."""

from __future__ import annotations

import io

import sqlalchemy as sa
from playwright.sync_api import Page, expect

from portal.accounts.models import Role
from portal.clock import utcnow
from portal.extensions import db
from portal.panel import invitations, service
from portal.panel.models import Invitation
from portal.responses.service import format_reference
from tests.browser.conftest import Visit
from tests.browser.test_schools_journey import sign_in
from tests.browser.test_screenshots import _folder, _shoot
from tests.factories import chose, create_user, submit_response
from tests.journeys import consultation
from tests.test_panel import HEADER, _row

PANEL = "warwickshire-panel-liveability"
BULLYING = "bullying-what-parents-think"


def test_panel_code_on_assisted_entry_then_find_correct_and_withdraw(
    page: Page, live_server: str, tmp_path
):
    service.import_members(io.StringIO(HEADER + _row("WP-001")), by="test")
    invitations.invite(consultation(PANEL), None, utcnow())
    code = db.session.scalars(sa.select(Invitation.code)).one()
    response = submit_response(
        BULLYING, {"school_phase": chose("secondary"), "bullied_last_year": chose("no")}
    )
    reference = format_reference(response.reference)
    officer = create_user(Role.OFFICER, email="lookup.officer@council.example")
    visit = Visit(page)
    sign_in(page, live_server, officer.email, visit, "Consultations")

    # A panel member answers by telephone and quotes their code; the first try is mistyped.
    page.goto(f"{live_server}/officer/consultations/{PANEL}/assisted")
    expect(page.locator("h1")).to_have_text("Enter a paper or phone response")
    visit.check()
    page.get_by_label("By telephone").check()
    page.get_by_label("Panel member's code (optional)").fill("BCDFG23456")
    page.get_by_role("button", name="Start entering the response").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "No panel member was invited with the code BCDFG23456"
    )
    visit.check()
    page.get_by_label("Panel member's code (optional)").fill(code.lower())
    page.get_by_role("button", name="Start entering the response").click()
    expect(page.locator(".app-progress")).to_contain_text("Page 1 of")
    visit.check()

    # A parent asks by telephone for their response to be changed, then withdrawn.
    page.get_by_role("link", name="Find a response").click()
    expect(page.locator("h1")).to_have_text("Find a response")
    visit.check()
    page.get_by_label("Response reference").fill(f" {reference.lower()} ")
    page.get_by_role("button", name="Find the response").click()
    expect(page.locator("h1")).to_have_text(f"Response {reference}")
    expect(page.locator("#answer-school_phase dd").first).to_have_text("Secondary school")
    expect(page.locator("#answer-bullying_where dd").first).to_have_text("Not asked")
    # For the README (written to docs/screenshots/ by `make screenshots`).
    page.set_viewport_size({"width": 1024, "height": 768})
    _shoot(page, visit, _folder(tmp_path), "response-found")

    page.get_by_role("link", name="Correct the answer to What type of school").click()
    expect(page.locator("h1")).to_have_text("What type of school does your child go to?")
    visit.check()
    page.get_by_label("Primary or infant school").check()
    page.get_by_role("button", name="Save the correction").click()
    expect(page.locator("#answer-school_phase dd").first).to_have_text("Primary or infant school")
    visit.check()

    page.get_by_role("link", name="Withdraw this response").click()
    expect(page.locator("h1")).to_have_text(
        f"Are you sure you want to withdraw response {reference}?"
    )
    visit.check()
    page.get_by_label("The respondent asked for it to be removed").check()
    page.get_by_role("button", name="Withdraw and erase the response").click()
    expect(page.locator("h1")).to_have_text("Find a response")
    expect(page.locator("main")).to_contain_text(f"Response {reference} withdrawn")
    visit.check()

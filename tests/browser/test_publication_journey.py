"""An officer publishes a closed consultation's results; the public finds them on the index,
with small numbers hidden."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from portal.clock import uk_today
from portal.consultations import builder
from portal.consultations.service import consultation_with_questions
from tests.browser.conftest import Visit, sign_in_officer
from tests.factories import chose, submit_response

BULLYING = "bullying-what-parents-think"


def test_officer_publishes_and_the_public_reads(page: Page, live_server: str):
    for answer in ["yes"] * 10 + ["no"] * 2:
        submit_response(BULLYING, {"bullied_last_year": chose(answer)})
    builder.close(consultation_with_questions(BULLYING), uk_today())
    visit = Visit(page)
    sign_in_officer(page, live_server)
    page.goto(f"{live_server}/officer/consultations/{BULLYING}/results")
    page.get_by_role("link", name="Published results for the public").click()
    expect(page.locator("h1")).to_have_text("Published results")
    visit.check()

    page.get_by_label("Introduction (optional)").fill("Thank you to every parent who answered.")
    page.get_by_label("In the last 12 months, has your child been bullied?").check()
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("saved")
    page.get_by_label("Strategy outcome it serves").select_option(index=1)
    page.get_by_label("You said").fill("Online bullying worries you most")
    page.get_by_label("We did").fill("Every secondary school now teaches online safety")
    page.get_by_role("button", name="Add “you said, we did”").click()
    expect(page.locator(".app-published-action")).to_have_count(1)
    visit.check()
    page.get_by_role("button", name="Publish the results").click()
    expect(page.locator("h1")).to_have_text(
        "Are you sure you want to publish the results of \u2018Bullying: what parents think\u2019?"
    )
    visit.check()
    page.get_by_role("button", name="Publish the results").click()
    expect(page.locator(".govuk-tag--green")).to_have_text("Published")
    visit.check()

    page.goto(f"{live_server}/")
    page.get_by_role("link", name="Results of past consultations").click()
    visit.check()
    page.get_by_role("link", name="Bullying: what parents think").click()
    expect(page.locator("h2#you-said-we-did")).to_be_visible()
    row = page.locator("#published-bullied_last_year tbody tr").filter(
        has=page.get_by_role("rowheader", name="No", exact=True)
    )
    expect(row.locator("td")).to_have_text(["fewer than 10", "not shown"])
    visit.check()


def test_committee_report_prints_the_strategy_with_evidence(page: Page, live_server: str):
    for answer in ["yes"] * 10 + ["no"] * 2:
        submit_response(BULLYING, {"bullied_last_year": chose(answer)})
    visit = Visit(page)
    sign_in_officer(page, live_server)
    page.goto(f"{live_server}/officer/strategy")
    page.get_by_role("link", name="Committee report").click()
    expect(page.locator("h1")).to_contain_text("progress and consultation evidence")
    visit.check()
    # Printed, the site's navigation is left off and the evidence stays.
    page.emulate_media(media="print")
    expect(page.locator(".govuk-header")).to_be_hidden()
    expect(page.locator(".app-report__evidence").first).to_be_visible()

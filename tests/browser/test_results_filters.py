"""An officer narrows the results with filters, then cross-tabulates two questions, with and
without HTMX doing the swapping."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from portal.responses.models import ResponseChannel
from tests.browser.conftest import Visit, sign_in_officer
from tests.factories import chose, submit_response

BULLYING = "bullying-what-parents-think"


def test_officer_filters_results_and_cross_tabulates(page: Page, live_server: str):
    for where, channel in [
        ("online", ResponseChannel.PAPER),
        ("online", ResponseChannel.ONLINE),
        ("at_school", ResponseChannel.ONLINE),
    ]:
        submit_response(
            BULLYING,
            {"bullying_where": chose(where), "bullied_last_year": chose("yes")},
            channel=channel,
        )
    visit = Visit(page)
    sign_in_officer(page, live_server)
    page.goto(f"{live_server}/officer/consultations/{BULLYING}/results")
    expect(page.locator("#total-responses")).to_have_text("3 responses")
    visit.check()

    # Filter by an answer: HTMX swaps the results in and the address keeps the filter.
    page.locator("#filters > summary").click()
    page.get_by_text("Answers to a question").click()
    page.locator("fieldset", has_text="Where did the bullying happen?").get_by_label(
        "Online, on social media or by mobile phone"
    ).check()
    page.get_by_role("button", name="Apply filters").click()
    expect(page.locator("#total-responses")).to_have_text("2 of 3 responses match these filters")
    expect(page).to_have_url(re.compile(r"answer=bullying_where%3Aonline"))
    expect(page).to_have_title(re.compile(r"^Results"))
    visit.check()

    # A second filter narrows further; Back returns to the first.
    expect(page.locator("#filters")).to_have_attribute("open", "")  # kept open while filtering
    page.get_by_label("Paper copy, keyed in").check()
    page.get_by_role("button", name="Apply filters").click()
    expect(page.locator("#total-responses")).to_have_text("1 of 3 responses match these filters")
    visit.check()
    page.go_back()
    expect(page.locator("#total-responses")).to_have_text("2 of 3 responses match these filters")

    # Cross-tab with the filter carried over.
    page.get_by_role("link", name="Cross-tabulate two questions").click()
    expect(page.locator("h1")).to_have_text("Cross-tabulate two questions")
    page.get_by_label("Rows: answers to").select_option(
        label="In the last 12 months, has your child been bullied?"
    )
    page.get_by_label("Columns: answers to").select_option(label="Where did the bullying happen?")
    page.get_by_role("button", name="Show the table").click()
    table = page.locator("table.app-cross-tab")
    expect(table.locator("caption")).to_contain_text("2 people answered both")
    expect(table.locator("tbody tr", has_text="Yes")).to_contain_text("100.0% (2)")
    visit.check()

    # A box ticked, then "Show the table": the table and the count follow the box.
    page.get_by_label("Paper copy, keyed in").check()
    page.get_by_role("button", name="Show the table").click()
    expect(table.locator("caption")).to_contain_text("1 person answered both")
    expect(page.locator("#total-responses")).to_have_text("1 of 3 responses match these filters")
    expect(page).to_have_url(re.compile(r"type=paper"))
    visit.check()
    # Removing it keeps the questions.
    page.get_by_role("link", name=re.compile(r"^Remove filter Respondent type")).click()
    expect(page.locator("#total-responses")).to_have_text("2 of 3 responses match these filters")
    expect(table.locator("caption")).to_contain_text("2 people answered both")
    visit.check()


def test_filters_work_without_javascript(browser, live_server: str):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    submit_response(
        BULLYING,
        {"bullied_last_year": chose("no"), "school_phase": chose("primary")},
        channel=ResponseChannel.PHONE,
    )
    submit_response(
        BULLYING, {"bullied_last_year": chose("yes"), "school_phase": chose("secondary")}
    )
    sign_in_officer(page, live_server)
    page.goto(f"{live_server}/officer/consultations/{BULLYING}/results")
    page.locator("#filters > summary").click()
    page.get_by_label("By telephone, keyed in").check()
    page.get_by_role("button", name="Apply filters").click()
    expect(page.locator("#total-responses")).to_have_text("1 of 2 responses match these filters")
    page.get_by_role("link", name=re.compile(r"^Remove")).click()
    expect(page.locator("#total-responses")).to_have_text("2 responses")

    # The cross-tab's one form: a box ticked, then "Show the table", counts only what it ticks;
    # "Apply filters" after another tick keeps the table's questions.
    page.goto(f"{live_server}/officer/consultations/{BULLYING}/cross-tab")
    page.get_by_label("Rows: answers to").select_option(
        label="What type of school does your child go to?"
    )
    page.get_by_label("Columns: answers to").select_option(
        label="In the last 12 months, has your child been bullied?"
    )
    page.locator("#filters > summary").click()
    page.get_by_label("By telephone, keyed in").check()
    page.get_by_role("button", name="Show the table").click()
    expect(page.locator("#total-responses")).to_have_text("1 of 2 responses match these filters")
    expect(page.locator("table.app-cross-tab caption")).to_contain_text("1 person answered both")
    page.get_by_label("By telephone, keyed in").uncheck()
    page.get_by_label("Online, straight to the website").check()
    page.get_by_role("button", name="Apply filters").click()
    expect(page.locator("#total-responses")).to_have_text("1 of 2 responses match these filters")
    secondary = page.locator("table.app-cross-tab tbody tr", has_text="Secondary school")
    expect(secondary).to_contain_text("100.0% (1)")  # the parent online answered "Yes"
    context.close()

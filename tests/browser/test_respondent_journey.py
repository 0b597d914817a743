"""A parent answers "Bullying: what parents think" in real Chromium, with and without JavaScript.

Each journey uses Back once and Change once, meets a validation error, and ends by checking
that the stored response holds exactly the answers given. axe-core checks every page visited.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
import sqlalchemy as sa
from playwright.sync_api import Page, expect

from portal.extensions import db
from portal.responses.models import Response
from tests.browser.conftest import Visit
from tests.journeys import (
    BULLYING_ANSWERS,
    BULLYING_ANSWERS_NOT_BULLIED,
    BULLYING_ROUTED_OUT,
    LIVEABILITY_ANSWERS,
    expected_answers,
    stored_answers,
)

BULLYING = "bullying-what-parents-think"


def fill_page(page: Page, answers: dict[str, Any]) -> None:
    """Answer one page as a person would: tick, choose and type."""
    for key, value in answers.items():
        if key.endswith("__other"):
            continue
        if isinstance(value, list):
            for item in value:
                page.locator(f"input[name='{key}'][value='{item}']").check()
            other = answers.get(f"{key}__other")
            if other is not None:
                page.locator(f"#{key}__other").fill(other)
        elif page.locator(f"textarea[name='{key}']").count():
            page.locator(f"textarea[name='{key}']").fill(value)
        elif page.locator(f"input[type='text'][name='{key}']").count():
            page.locator(f"input[type='text'][name='{key}']").fill(value)
        else:
            page.locator(f"input[name='{key}'][value='{value}']").check()


def continue_to(page: Page, visit: Visit, url_part: str, button: str = "Continue") -> None:
    page.get_by_role("button", name=button).click()
    expect(page).to_have_url(re.compile(re.escape(url_part)))
    visit.check()


def parent_journey(
    page: Page, live_server: str, javascript: bool, axe_page: Page | None = None
) -> str:
    """Walk the whole journey; return the reference shown on the confirmation page."""
    visit = Visit(page, axe_page)
    page.goto(live_server + "/")
    visit.check()
    if javascript:
        # A marker that a full page load would wipe: HTMX must swap pages in place.
        page.evaluate("window.appNoReload = true")

    page.get_by_role("link", name="Bullying: what parents think").click()
    expect(page.locator("h1")).to_have_text("Bullying: what parents think")
    visit.check()

    page.get_by_role("button", name="Start now").click()
    expect(page).to_have_url(re.compile(r"/pages/1$"))
    # Until the routing question is answered, pages about the bullying may still come.
    expect(page.locator(".app-progress")).to_have_text("Page 1 of up to 14")
    visit.check()

    # A validation error first: Continue with nothing chosen.
    page.get_by_role("button", name="Continue").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Select the type of school your child goes to")
    expect(page).to_have_title(re.compile(r"^Error: What type of school"))
    if javascript:
        expect(summary).to_be_focused()
    visit.check()

    fill_page(page, BULLYING_ANSWERS[0])
    continue_to(page, visit, "/pages/2")
    fill_page(page, BULLYING_ANSWERS[1])
    continue_to(page, visit, "/pages/3")

    # Back once: page 2 still shows the saved answer.
    page.get_by_role("link", name="Back").click()
    expect(page).to_have_url(re.compile(r"/pages/2$"))
    expect(page.locator("input[name='school_district'][value='rugby']")).to_be_checked()
    visit.check()
    continue_to(page, visit, "/pages/3")

    for number, answers in enumerate(BULLYING_ANSWERS[2:], start=3):
        fill_page(page, answers)
        following = f"/pages/{number + 1}" if number < len(BULLYING_ANSWERS) else "/check-answers"
        continue_to(page, visit, following)

    expect(page.locator("h1")).to_have_text("Check your answers before sending them")
    district_row = page.locator(
        ".govuk-summary-list__row", has_text="Which district is your child's school in?"
    )
    expect(district_row.locator(".govuk-summary-list__value")).to_have_text("Rugby")

    # Change once: the district, then straight back to check answers.
    page.get_by_role(
        "link", name="Change your answer to: Which district is your child's school in?"
    ).click()
    expect(page).to_have_url(re.compile(r"/pages/2\?change=1$"))
    visit.check()
    page.locator("input[name='school_district'][value='warwick']").check()
    continue_to(page, visit, "/check-answers", button="Save and return to check answers")
    expect(district_row.locator(".govuk-summary-list__value")).to_have_text("Warwick")
    # Free text is shown as typed, never run as HTML.
    expect(page.locator(".govuk-summary-list__row", has_text="anything else")).to_contain_text(
        "Please <script>alert(1)</script> act."
    )

    page.get_by_role("button", name="Accept and send").click()
    expect(page.locator("h1")).to_have_text("Response sent")
    visit.check()
    if javascript:
        assert page.evaluate("window.appNoReload === true"), "a page change reloaded the whole page"
    assert len(visit.checked) >= 17
    return page.locator(".app-reference").inner_text().replace("-", "")


def assert_stored_as_answered(reference: str) -> None:
    db.session.expire_all()
    response = db.session.scalars(sa.select(Response).where(Response.reference == reference)).one()
    answers = [dict(page) for page in BULLYING_ANSWERS]
    answers[1] = {"school_district": "warwick"}
    assert stored_answers(response) == expected_answers(answers)
    assert db.session.scalar(sa.select(sa.func.count(Response.id))) == 1


def test_parent_completes_the_consultation_with_javascript(page: Page, live_server: str):
    reference = parent_journey(page, live_server, javascript=True)
    assert_stored_as_answered(reference)


@pytest.fixture
def browser_context_args(
    browser_context_args: dict[str, Any], request: pytest.FixtureRequest
) -> dict[str, Any]:
    if request.node.get_closest_marker("no_javascript"):
        return {**browser_context_args, "java_script_enabled": False}
    return browser_context_args


@pytest.mark.no_javascript
def test_parent_completes_the_consultation_without_javascript(
    page: Page, live_server: str, browser
):
    assert page.evaluate("typeof htmx") == "undefined"  # the site's scripts really do not run
    checker = browser.new_context()
    reference = parent_journey(page, live_server, javascript=False, axe_page=checker.new_page())
    checker.close()
    assert_stored_as_answered(reference)


def test_panel_member_completes_the_liveability_survey(page: Page, live_server: str):
    visit = Visit(page)
    page.goto(live_server + "/consultations/warwickshire-panel-liveability")
    visit.check()
    page.get_by_role("button", name="Start now").click()
    for number, answers in enumerate(LIVEABILITY_ANSWERS, start=1):
        # Vehicle crime is asked only of households with a car or van: "up to" until then.
        expect(page.locator(".app-progress")).to_have_text(
            re.compile(rf"Page {number} of (up to )?{len(LIVEABILITY_ANSWERS)}$")
        )
        visit.check()
        fill_page(page, answers)
        page.get_by_role("button", name="Continue").click()
    expect(page.locator("h1")).to_have_text("Check your answers before sending them")
    visit.check()
    page.get_by_role("button", name="Accept and send").click()
    expect(page.locator("h1")).to_have_text("Response sent")
    visit.check()
    db.session.expire_all()
    response = db.session.scalars(sa.select(Response)).one()
    assert stored_answers(response) == expected_answers(LIVEABILITY_ANSWERS)


def test_exclusive_none_option_clears_the_others(page: Page, live_server: str):
    """GOV.UK's "None of these" behaviour, which needs JavaScript, works with the vendored JS."""
    page.goto(live_server + "/consultations/warwickshire-panel-liveability")
    page.get_by_role("button", name="Start now").click()
    for number, answers in enumerate(LIVEABILITY_ANSWERS[:8], start=1):
        expect(page).to_have_url(re.compile(f"/pages/{number}$"))
        fill_page(page, answers)
        page.get_by_role("button", name="Continue").click()
    expect(page.locator(".app-progress")).to_have_text("Page 9 of 14")
    page.locator("input[name='local_problems'][value='speeding']").check()
    page.locator("input[name='local_problems'][value='none']").check()
    expect(page.locator("input[name='local_problems'][value='speeding']")).not_to_be_checked()


def routed_questions_on(page: Page) -> list[str]:
    """The check-answers rows that ask about the bullying itself."""
    asked = page.locator(".govuk-summary-list__key").all_inner_texts()
    routed = [
        "Where did the bullying happen?",
        "What kind of bullying was it?",
        "Has the bullying stopped?",
        "Because of the bullying, has your child missed school?",
        "Did you or your child tell the school about the bullying?",
        "How well did the school deal with it?",
        "Apart from the school, did you or your child get help",
    ]
    return [question for question in routed if any(question in key for key in asked)]


def test_a_parent_whose_child_was_not_bullied_is_never_asked_about_the_bullying(
    page: Page, live_server: str
):
    visit = Visit(page)
    page.goto(f"{live_server}/consultations/{BULLYING}")
    page.get_by_role("button", name="Start now").click()
    for number, answers in enumerate(BULLYING_ANSWERS_NOT_BULLIED, start=1):
        # After "No" the pages about the bullying are not asked; the numbering skips them,
        # and the count is of the 9 pages there can then be.
        of = "of up to 14" if number <= 3 else "of 9"
        expect(page.locator(".app-progress")).to_have_text(f"Page {number} {of}")
        visit.check()
        for question in ("Where did the bullying happen?", "Has the bullying stopped?"):
            expect(page.get_by_text(question)).to_have_count(0)
        fill_page(page, answers)
        page.get_by_role("button", name="Continue").click()
    expect(page.locator("h1")).to_have_text("Check your answers before sending them")
    visit.check()
    assert routed_questions_on(page) == []
    page.get_by_role("button", name="Accept and send").click()
    expect(page.locator("h1")).to_have_text("Response sent")
    db.session.expire_all()
    stored = stored_answers(db.session.scalars(sa.select(Response)).one())
    assert stored == expected_answers(BULLYING_ANSWERS_NOT_BULLIED)
    assert not set(stored) & BULLYING_ROUTED_OUT


def test_changing_yes_to_no_on_check_answers_drops_what_it_routed_out(page: Page, live_server: str):
    visit = Visit(page)
    page.goto(f"{live_server}/consultations/{BULLYING}")
    page.get_by_role("button", name="Start now").click()
    for number, answers in enumerate(BULLYING_ANSWERS, start=1):
        expect(page).to_have_url(re.compile(f"/pages/{number}$"))
        fill_page(page, answers)
        page.get_by_role("button", name="Continue").click()
    expect(page.locator("h1")).to_have_text("Check your answers before sending them")
    assert len(routed_questions_on(page)) == 7
    page.get_by_role(
        "link", name="Change your answer to: In the last 12 months, has your child been bullied?"
    ).click()
    visit.check()
    page.locator("input[name='bullied_last_year'][value='no']").check()
    # An answer that routes others: "Continue", since more questions could follow.
    page.get_by_role("button", name="Continue").click()
    expect(page.locator("h1")).to_have_text("Check your answers before sending them")
    visit.check()
    assert routed_questions_on(page) == []  # a "No" never sits beside where it happened
    page.get_by_role("button", name="Accept and send").click()
    expect(page.locator("h1")).to_have_text("Response sent")
    db.session.expire_all()
    stored = stored_answers(db.session.scalars(sa.select(Response)).one())
    assert stored["bullied_last_year"] == {"options": ["no"], "text": None}
    assert not set(stored) & BULLYING_ROUTED_OUT

"""Both consultations completed with the keyboard alone (Tab, Space, arrow keys, Enter, typing;
no mouse, no clicks); respondent pages reflowing at 320 CSS pixels without sideways
scrolling, and usable with text at 200%; officers' pages with wide tables reflowing too.
axe-core checks every page visited."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import Visit, no_sideways_scroll, sign_in_officer
from tests.factories import chose, submit_response
from tests.journeys import BULLYING_ANSWERS, LIVEABILITY_ANSWERS

MAX_TABS = 250


def tab_to(page: Page, selector: str) -> None:
    """Press Tab until the focus is on an element matching `selector`."""
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        if page.evaluate(
            "s => !!document.activeElement && document.activeElement.matches(s)", selector
        ):
            return
    raise AssertionError(f"Tab never reached {selector} on {page.url}")


def choose_radio(page: Page, name: str, value: str) -> None:
    """Tab into the group, then Space and arrow keys until the wanted radio is checked."""
    tab_to(page, f'input[type=radio][name="{name}"]')
    target = page.locator(f'input[type=radio][name="{name}"][value="{value}"]')
    page.keyboard.press("Space")
    for _ in range(20):
        if target.is_checked():
            return
        page.keyboard.press("ArrowDown")
    raise AssertionError(f"arrow keys never reached {name}={value}")


def answer_by_keyboard(page: Page, answers: dict[str, Any]) -> None:
    for name, value in answers.items():
        values = value if isinstance(value, list) else [value]
        field = page.locator(f'[name="{name}"]').first
        kind = field.get_attribute("type") or field.evaluate("e => e.tagName.toLowerCase()")
        if kind == "radio":
            choose_radio(page, name, values[0])
        elif kind == "checkbox":
            for item in values:
                tab_to(page, f'input[type=checkbox][name="{name}"][value="{item}"]')
                page.keyboard.press("Space")
        elif values[0]:
            tab_to(page, f'[name="{name}"]')
            page.keyboard.type(values[0])


def press_button(page: Page, name: str) -> None:
    tab_to(page, "button")
    for _ in range(MAX_TABS):
        if page.evaluate("() => document.activeElement.textContent.trim()") == name:
            page.keyboard.press("Enter")
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"no button {name!r} reachable by Tab on {page.url}")


@pytest.mark.parametrize(
    ("slug", "answers"),
    [
        ("bullying-what-parents-think", BULLYING_ANSWERS),
        ("warwickshire-panel-liveability", LIVEABILITY_ANSWERS),
    ],
    ids=["bullying", "liveability"],
)
def test_a_consultation_can_be_completed_with_the_keyboard_alone(
    page: Page, live_server: str, slug: str, answers: list[dict[str, Any]]
):
    visit = Visit(page)
    page.goto(f"{live_server}/consultations/{slug}")
    visit.check()
    press_button(page, "Start now")
    for number, page_answers in enumerate(answers, start=1):
        expect(page).to_have_url(f"{live_server}/consultations/{slug}/pages/{number}")
        visit.check()
        answer_by_keyboard(page, page_answers)
        press_button(page, "Continue")
    expect(page.locator("h1")).to_have_text("Check your answers before sending them")
    visit.check()
    press_button(page, "Accept and send")
    expect(page.locator("h1")).to_contain_text("sent")
    visit.check()


def test_respondent_pages_reflow_at_320_pixels_and_with_text_at_200_percent(
    page: Page, live_server: str
):
    slug = "bullying-what-parents-think"
    visit = Visit(page)
    for width, text_size in ((320, "100%"), (1280, "200%")):
        page.set_viewport_size({"width": width, "height": 800})
        pages = [
            "/",
            f"/consultations/{slug}",
            f"/consultations/{slug}/paper",
            "/privacy/parents",
            "/accessibility",
        ]
        for path in pages:
            page.goto(live_server + path)
            page.evaluate("size => { document.documentElement.style.fontSize = size }", text_size)
            no_sideways_scroll(page)
        page.goto(f"{live_server}/consultations/{slug}")
        page.get_by_role("button", name="Start now").click()
        # The journey has begun (its cookie set) before pages are opened by address.
        expect(page).to_have_url(f"{live_server}/consultations/{slug}/pages/1")
        for number in (1, 4, 7):
            page.goto(f"{live_server}/consultations/{slug}/pages/{number}")
            page.evaluate("size => { document.documentElement.style.fontSize = size }", text_size)
            no_sideways_scroll(page)
            # With text enlarged the way forward is still there to be reached.
            button = page.get_by_role("button", name="Continue")
            button.scroll_into_view_if_needed()
            expect(button).to_be_visible()
        # A page with an error, at this size.
        page.goto(f"{live_server}/consultations/{slug}/pages/1")
        page.get_by_role("button", name="Continue").click()
        expect(page.locator(".govuk-error-summary")).to_be_visible()
        page.evaluate("size => { document.documentElement.style.fontSize = size }", text_size)
        no_sideways_scroll(page)
        visit.check()


def test_officer_pages_reflow_at_320_pixels(
    page: Page, live_server: str, monkeypatch: pytest.MonkeyPatch
):
    """Wide tables (every consultation's counts, responses day by day, a cross-tab) scroll
    inside their own region; the page never scrolls sideways, hidden cell text included."""
    slug = "bullying-what-parents-think"
    # Sent on the day the page takes for today (the server runs in this process), so its row
    # says "(today, so far)" whatever the clock says.
    monkeypatch.setattr("portal.officer.results_views.uk_today", lambda: date(2026, 12, 1))
    submit_response(slug, {"bullied_last_year": chose("yes")}, at=datetime(2026, 12, 1, 18, 0))
    visit = Visit(page)
    page.set_viewport_size({"width": 320, "height": 800})
    sign_in_officer(page, live_server)
    no_sideways_scroll(page)
    visit.check()
    page.goto(f"{live_server}/officer/consultations/{slug}/results")
    no_sideways_scroll(page)
    visit.check()
    page.get_by_role("link", name="Responses over time, day by day").click()
    expect(page.locator("#responses-by-day")).to_be_visible()
    no_sideways_scroll(page)
    # Scrolled to its last column, the days' table still shows each row's day, on one line.
    region = page.locator(".app-table-scroll", has=page.locator("#responses-by-day"))
    region.evaluate("region => { region.scrollLeft = region.scrollWidth }")
    assert region.evaluate("region => region.scrollLeft") > 0
    day, shown = page.locator("#responses-by-day tbody th").first, region.bounding_box()
    box = day.bounding_box()
    assert shown is not None and box is not None
    assert shown["x"] - 1 <= box["x"] <= shown["x"] + 1, (box, shown)
    # The date, that is: today's row says "(today, so far)" on a line of its own under it.
    lines = day.evaluate(
        """cell => {
            const date = document.createRange();
            date.selectNodeContents(cell.firstChild);
            return new Set([...date.getClientRects()].map(line => Math.round(line.top))).size;
        }"""
    )
    assert lines == 1, f"the date in {day.inner_text()!r} wraps onto {lines} lines"
    note = day.locator(".app-days-table__so-far")
    expect(note).to_have_text("(today, so far)")
    below = note.evaluate(
        """note => {
            const date = document.createRange();
            date.selectNodeContents(note.parentElement.firstChild);
            return note.getBoundingClientRect().top >= date.getBoundingClientRect().bottom - 1;
        }"""
    )
    assert below, "today's note is beside its date, not under it"
    # The widest column heading is then wholly beside the day column, and the caption in view.
    widest = page.locator("#responses-by-day thead th").last.bounding_box()
    caption = page.locator("#responses-by-day caption").bounding_box()
    assert widest is not None and caption is not None
    assert widest["x"] >= box["x"] + box["width"] - 1, (widest, box)
    assert shown["x"] - 1 <= caption["x"] <= shown["x"] + 1, (caption, shown)
    visit.check()
    page.goto(
        f"{live_server}/officer/consultations/{slug}/cross-tab"
        "?rows=bullied_last_year&columns=bullying_where"
    )
    expect(page.locator(".app-cross-tab")).to_be_visible()
    no_sideways_scroll(page)
    visit.check()

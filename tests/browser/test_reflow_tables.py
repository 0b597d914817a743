"""Officers' tables at 320 CSS pixels (reflow): a scrolling table's caption wraps within what
its region shows, whatever the table's width; results tables break their headings and figures
only between words; the feedback page never scrolls sideways. axe-core checks every page."""

from __future__ import annotations

from datetime import timedelta

from playwright.sync_api import Page, expect

from portal.clock import uk_today
from portal.feedback.models import Satisfaction
from portal.feedback.service import record_feedback
from tests.browser.conftest import Visit, no_sideways_scroll, sign_in_officer
from tests.factories import chose, submit_response
from tests.journeys import consultation

BULLYING = "bullying-what-parents-think"
NARROW = {"width": 320, "height": 800}
SLACK = 1.5

# Where a scroll region's caption is, where its text's lines are, and what the region shows.
CAPTION_IN_REGION = """region => {
    const caption = region.querySelector(":scope > table > caption");
    const shown = region.getBoundingClientRect();
    const text = document.createRange();
    text.selectNodeContents(caption);
    const lines = [...text.getClientRects()].filter(line => line.width > 0);
    return {
        shown: [shown.left, shown.right],
        caption: [caption.getBoundingClientRect().left, caption.getBoundingClientRect().right],
        lines: lines.map(line => [line.left, line.right]),
        table: region.querySelector(":scope > table").getBoundingClientRect().width,
    };
}"""

# Every word of an element's text whose letters lie on more than one line: a word broken.
WORDS_BROKEN = """element => {
    const broken = [];
    const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        for (const word of node.data.matchAll(/\\S+/g)) {
            const range = document.createRange();
            range.setStart(node, word.index);
            range.setEnd(node, word.index + word[0].length);
            const tops = new Set(
                [...range.getClientRects()].filter(r => r.width > 0).map(r => Math.round(r.top))
            );
            if (tops.size > 1) broken.push(word[0]);
        }
    }
    return broken;
}"""


def _caption_is_within_its_region(page: Page, region_selector: str) -> None:
    """At the start and scrolled to the end, the caption and each line of its text lie within
    the region's visible box. To a pixel and a half: a caption goes no further than its table's
    end, which the region may scroll past by the fraction of a pixel its width is rounded up by
    and the 1px of GOV.UK's visually hidden text at the end of a last cell (the dashboard's)."""
    region = page.locator(region_selector)
    for scrolled in (False, True):
        if scrolled:
            region.evaluate("region => { region.scrollLeft = region.scrollWidth }")
            assert region.evaluate("region => region.scrollLeft") > 0
        found = region.evaluate(CAPTION_IN_REGION)
        left, right = found["shown"]
        # Else the page proves nothing: the table is wider than what its region shows.
        assert found["table"] > right - left, found
        caption_left, caption_right = found["caption"]
        assert left - SLACK <= caption_left and caption_right <= right + SLACK, (scrolled, found)
        assert found["lines"], found
        for line_left, line_right in found["lines"]:
            assert left - SLACK <= line_left and line_right <= right + SLACK, (scrolled, found)


def test_scrolling_tables_captions_wrap_within_their_region_at_320_pixels(
    page: Page, live_server: str
):
    submit_response(
        BULLYING,
        {
            "bullied_last_year": chose("yes"),
            "bullying_stopped": chose("stopped"),
            "school_response": chose("very_well"),
        },
    )
    visit = Visit(page)
    page.set_viewport_size(NARROW)
    sign_in_officer(page, live_server)
    caption = page.locator("#consultations-caption")
    expect(caption).to_have_text("Every consultation and its responses")
    _caption_is_within_its_region(page, ".app-table-scroll:has(#consultations-caption)")
    # A consultation's dates are on a line each, never broken between their words.
    dates = page.locator(f"#consultation-{BULLYING} .app-date")
    expect(dates).to_have_count(2)
    for number in range(2):
        lines = dates.nth(number).evaluate(
            """date => {
                const text = document.createRange();
                text.selectNodeContents(date);
                return new Set([...text.getClientRects()].map(line => Math.round(line.top))).size;
            }"""
        )
        assert lines == 1, f"{dates.nth(number).inner_text()!r} is on {lines} lines"
    no_sideways_scroll(page)
    visit.check()

    page.goto(
        f"{live_server}/officer/consultations/{BULLYING}/cross-tab"
        "?rows=bullying_stopped&columns=school_response"
    )
    expect(page.locator("#cross-tab-caption")).to_contain_text("1 person answered both")
    _caption_is_within_its_region(page, ".app-table-scroll:has(#cross-tab-caption)")
    # Scrolled to its last column, each row's answer is still in view at the region's edge.
    region = page.locator(".app-table-scroll:has(#cross-tab-caption)")
    shown = region.bounding_box()
    answer = page.locator(".app-cross-tab tbody th").first
    expect(answer).to_have_text("Yes, it has stopped")
    assert shown is not None and (answer.bounding_box() or {})["x"] <= shown["x"] + SLACK
    last = page.locator(".app-cross-tab thead th").last
    region.evaluate("region => { region.scrollLeft = region.scrollWidth }")
    assert region.evaluate("region => region.scrollLeft") > 0, "nothing scrolled"
    box = answer.bounding_box()
    assert box is not None and shown["x"] - SLACK <= box["x"] <= shown["x"] + SLACK, (box, shown)
    assert (last.bounding_box() or {})["x"] >= box["x"] + box["width"] - 1
    no_sideways_scroll(page)
    visit.check()


def test_results_tables_break_headings_and_figures_only_between_words_at_320_pixels(
    page: Page, live_server: str
):
    # One answer in every choice, so that "100.0%", the widest figure, is on the page.
    submit_response(BULLYING, {"bullied_last_year": chose("yes")})
    visit = Visit(page)
    page.set_viewport_size(NARROW)
    sign_in_officer(page, live_server)
    page.goto(f"{live_server}/officer/consultations/{BULLYING}/results")
    tables = page.locator(".app-results-table")
    assert tables.count() > 1
    cells = page.locator(
        ".app-results-table thead th, .app-results-table .app-bar-cell__figure,"
        " .app-results-table td.govuk-table__cell--numeric"
    )
    texts = cells.all_inner_texts()
    assert "Responses" in texts and "Percentage" in texts and "100.0%" in texts
    broken = cells.evaluate_all(f"cells => cells.flatMap({WORDS_BROKEN})")
    assert not broken, f"broken mid-word: {sorted(set(broken))}"
    no_sideways_scroll(page)
    visit.check()


def test_the_feedback_page_reflows_at_320_pixels(page: Page, live_server: str):
    today = uk_today()
    for rating in (Satisfaction.VERY_SATISFIED, Satisfaction.VERY_DISSATISFIED):
        record_feedback(consultation(BULLYING), rating, None, today - timedelta(days=7))
    visit = Visit(page)
    page.set_viewport_size(NARROW)
    sign_in_officer(page, live_server)
    page.goto(f"{live_server}/officer/feedback")
    expect(page.locator("#ratings caption")).to_have_text("Ratings: 2 people gave one")
    no_sideways_scroll(page)
    # Every heading and figure of the ratings is wholly on the screen, the last column too.
    viewport = page.evaluate("() => document.documentElement.clientWidth")
    for cell in page.locator("#ratings th, #ratings td").all():
        box = cell.bounding_box()
        assert box is not None and box["x"] + box["width"] <= viewport, (cell.inner_text(), box)
    visit.check()

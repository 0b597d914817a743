"""An officer runs the liveability survey again; residents answer both waves; the results page
shows each answer's change with its interval and whether it is beyond sampling error, beside the
outcome's indicators. Every page is checked with axe-core."""

from __future__ import annotations

import re
import zipfile
from datetime import date, timedelta
from pathlib import Path

from playwright.sync_api import Locator, Page, expect

from portal.accounts.models import Role
from portal.clock import uk_today
from tests.browser.conftest import Visit
from tests.browser.test_accessibility_crawl import _sign_in
from tests.browser.test_screenshots import _folder, _shoot
from tests.factories import closed_yesterday, create_user
from tests.journeys import consultation as load
from tests.test_waves import AFTER_DARK, LIVEABILITY, answer_after_dark


def fill_date(group: Locator, day: date) -> None:
    group.get_by_label("Day").fill(str(day.day))
    group.get_by_label("Month").fill(str(day.month))
    group.get_by_label("Year").fill(str(day.year))


def test_an_officer_runs_a_survey_again_and_reads_the_change(
    page: Page, live_server: str, tmp_path: Path
):
    answer_after_dark(LIVEABILITY, AFTER_DARK[1])
    closed_yesterday(load(LIVEABILITY))  # so the next wave can open today
    officer = create_user(Role.OFFICER)
    visit = Visit(page)
    _sign_in(page, live_server, officer.email)
    page.goto(f"{live_server}/officer/consultations/{LIVEABILITY}/build")
    page.get_by_role("button", name="Run again as a new wave").click()
    expect(page.locator("h1")).to_have_text("Run again as a new wave")
    visit.check()
    # A closing date before the opening date: the error, and nothing made.
    today = uk_today()
    fill_date(page.locator("#opens_on"), today)
    fill_date(page.locator("#closes_on"), today - timedelta(days=1))
    page.get_by_role("button", name="Create wave 2 as a draft").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "The closing date must be the same as or after the opening date"
    )
    visit.check()
    fill_date(page.locator("#closes_on"), today + timedelta(days=30))
    page.get_by_role("button", name="Create wave 2 as a draft").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "This is wave 2, a new draft copied from wave 1"
    )
    expect(page.locator("#consultation-wave")).to_contain_text("Wave 2 of 2 in the series")
    visit.check()
    page.get_by_role("button", name="Publish").click()
    expect(page.locator("h1")).to_contain_text("\u2019, wave 2?")
    visit.check()
    page.get_by_role("button", name="Publish").click()
    expect(page.locator("#consultation-status")).to_have_text("Open")
    wave = next(w for w in load(LIVEABILITY).series.waves if w.wave_number == 2)
    answer_after_dark(wave.slug, AFTER_DARK[2])

    page.goto(f"{live_server}/officer/consultations/{wave.slug}/results")
    expect(page.locator(".govuk-caption-l").first).to_have_text("Results, wave 2")
    visit.check()
    after_dark = page.locator("[id='waves-3.3c-safe_after_dark-all']")
    fairly = after_dark.locator("tr", has_text="Fairly safe")
    expect(fairly).to_contain_text("25.0% (10 of 40)")
    expect(fairly).to_contain_text("55.0% (22 of 40)")
    expect(fairly).to_contain_text("+30.0 points")
    expect(fairly).to_contain_text("+8.5 to +47.9")
    expect(fairly).to_contain_text("Larger than sampling error would explain (p = 0.006)")
    expect(after_dark.locator("tr", has_text="Very safe")).to_contain_text(
        "Within sampling error: could be chance (p = 0.556)"
    )
    chart = page.locator("[id='waves-3.3c-safe_after_dark'] .app-wave-chart")
    expect(chart).to_have_attribute("role", "img")
    expect(chart.locator("svg")).to_be_visible()
    # Beside the outcome's indicators, in a sentence.
    expect(page.locator("[id='outcome-3.3c'] .app-wave-headlines")).to_contain_text(
        re.compile(r"Fairly safe.\s*25\.0% to 55\.0% \(\+30\.0 points\), larger than sampling")
    )
    page.locator("[id='outcome-3.3c'] .app-wave-headlines a", has_text="after dark").click()
    expect(page).to_have_url(re.compile(r"#waves-3\.3c-safe_after_dark$"))
    block = page.locator("[id='waves-3.3c-safe_after_dark']").bounding_box()
    assert block is not None
    top = block["y"] + page.evaluate("window.scrollY")  # the box is relative to the viewport
    clip = {"x": 0, "y": top - 20, "width": 1280, "height": min(block["height"], 1100) + 40}
    _shoot(page, visit, _folder(tmp_path), "change-between-waves", clip)
    # Both series files download whole (a streamed file outlives the request's session).
    # Last: a clicked link keeps the focus, whose style axe would read as a link not underlined.
    for link_text in ("Excel (XLSX) of every wave's responses", "Excel (XLSX) of the change"):
        with page.expect_download() as download:
            page.get_by_role("link", name=link_text).click()
        with zipfile.ZipFile(download.value.path()) as workbook:  # a whole zip, or it raises
            assert b"Fairly safe" in workbook.read("xl/worksheets/sheet1.xml")

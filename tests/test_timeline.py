"""Responses day by day, in UK days, total and by how they arrived."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from flask import url_for

from portal.consultations.service import consultation_with_questions
from portal.extensions import db
from portal.reporting import timeline
from portal.reporting.filters import NO_FILTER, ResponseFilter
from portal.reporting.timeline import daily_counts
from portal.responses.models import ResponseChannel
from tests.factories import create_user, sign_in, submit_response

# Every figure here is checked counted by SQL and from the results index (tests/conftest.py).
pytestmark = pytest.mark.usefixtures("counted")

SLUG = "bullying-what-parents-think"


def test_days_are_uk_days_with_gaps_filled_and_channels_split(app, client):
    # 23:30 UTC on 1 July is 00:30 on 2 July in London (BST); 23:30 UTC on 1 December is
    # still 1 December (GMT).
    submit_response(SLUG, {}, at=datetime(2026, 7, 1, 22, 0))
    submit_response(SLUG, {}, at=datetime(2026, 7, 1, 23, 30))
    submit_response(SLUG, {}, at=datetime(2026, 7, 4, 9, 0), channel=ResponseChannel.PAPER)
    days = daily_counts(consultation_with_questions(SLUG))
    assert [(d.day.isoformat(), d.total) for d in days] == [
        ("2026-07-01", 1),
        ("2026-07-02", 1),
        ("2026-07-03", 0),
        ("2026-07-04", 1),
    ]
    assert days[-1].by_channel == {"paper": 1}

    sign_in(client, create_user())
    results = client.get_page(url_for("officer.results", slug=SLUG))
    link = results.soup.find("a", string="Responses over time, day by day")
    assert link["href"] == url_for("officer.responses_over_time", slug=SLUG)
    page = client.get_page(link["href"])
    assert page.soup.h1.get_text(strip=True) == "Responses over time"
    rows = [r.get_text(" ", strip=True) for r in page.soup.select("#responses-by-day tbody tr")]
    assert rows == [
        "1 July 2026 1 1 0 0 0",
        "2 July 2026 1 1 0 0 0",
        "3 July 2026 0 0 0 0 0",
        "4 July 2026 1 0 1 0 0",
        "All days 3 2 1 0 0",
    ]
    # Three days tie at 1: each is named, and "each of" says none holds the three together.
    assert page.soup.select_one("#timeline-summary").get_text(" ", strip=True) == (
        "3 responses from 1 July 2026 to 4 July 2026. The most in one day was 1, on each of "
        "1 July 2026, 2 July 2026 and 4 July 2026."
    )
    chart_box = page.soup.select_one(".app-timeline")
    assert chart_box["role"] == "img"
    assert "the table below give the figures" in chart_box["aria-label"].lower()


@pytest.mark.parametrize(
    ("at", "uk_day"),
    [
        (datetime(2026, 12, 1, 23, 30), "2026-12-01"),  # GMT: 23:30 in London too
        (datetime(2026, 7, 1, 0, 10), "2026-07-01"),  # BST: 01:10
        (datetime(2026, 3, 29, 0, 30), "2026-03-29"),  # clocks go forward at 01:00 UTC
        (datetime(2026, 3, 29, 23, 30), "2026-03-30"),  # the first BST evening
        (datetime(2026, 10, 24, 23, 30), "2026-10-25"),  # the last BST evening
        (datetime(2026, 10, 25, 23, 30), "2026-10-25"),  # back to GMT at 01:00 UTC
    ],
)
def test_a_response_is_counted_on_its_uk_day(app, at, uk_day):
    submit_response(SLUG, {}, at=at)
    consultation = consultation_with_questions(SLUG)
    # Unfiltered from the running tallies' parts of days; filtered by SQL's parts of days, or
    # by the results index's own UK days (`counted`).
    since_2000 = ResponseFilter(submitted_from=date(2000, 1, 1))
    for only in (NO_FILTER, since_2000):
        days = daily_counts(consultation, only)
        assert [(d.day.isoformat(), d.total) for d in days] == [(uk_day, 1)]


def test_the_days_follow_the_results_filters(app, client):
    """The results page's filters carry over to its days, which say what they count."""
    submit_response(SLUG, {}, at=datetime(2026, 7, 1, 9, 0))
    submit_response(SLUG, {}, at=datetime(2026, 7, 3, 9, 0), channel=ResponseChannel.PAPER)
    sign_in(client, create_user())
    results = client.get_page(url_for("officer.results", slug=SLUG, type="paper"))
    link = results.soup.find("a", string="Responses over time, day by day")
    assert link["href"] == url_for("officer.responses_over_time", slug=SLUG, type="paper")
    assert "(with these filters)" in link.parent.get_text()
    page = client.get_page(link["href"])
    assert "1 of 2 responses match these filters" in page.text
    rows = [r.get_text(" ", strip=True) for r in page.soup.select("#responses-by-day tbody tr")]
    assert rows == ["3 July 2026 1 0 1 0 0", "All days 1 0 1 0 0"]
    assert page.soup.select_one("#timeline-summary").get_text(" ", strip=True) == (
        "1 response, on 3 July 2026."
    )
    back = page.soup.select_one(".govuk-back-link")
    assert back["href"] == url_for("officer.results", slug=SLUG, type="paper")
    # A filter matching nobody still offers the days, which say so.
    nobody = client.get_page(url_for("officer.results", slug=SLUG, type="phone"))
    link = nobody.soup.find("a", string="Responses over time, day by day")
    assert link["href"] == url_for("officer.responses_over_time", slug=SLUG, type="phone")
    by_phone = client.get_page(link["href"])
    assert "0 of 2 responses match these filters" in by_phone.text
    assert "There are no days to show. Remove a filter to count more responses." in by_phone.text
    assert not by_phone.soup.select("#responses-by-day")
    unknown = client.get_page(
        url_for("officer.responses_over_time", slug=SLUG, type="carrier_pigeon")
    )
    summary = unknown.soup.select_one(".govuk-error-summary")
    assert "Some filters could not be used" in summary.get_text()
    assert summary.a["href"] == url_for("officer.results", slug=SLUG) + "#filters"
    assert "3 July 2026" in unknown.text and "1 July 2026" in unknown.text  # left out


def test_the_busiest_day_is_named_when_there_is_one(app, client):
    submit_response(SLUG, {}, at=datetime(2026, 7, 1, 9, 0))
    submit_response(SLUG, {}, at=datetime(2026, 7, 1, 10, 0))
    submit_response(SLUG, {}, at=datetime(2026, 7, 2, 9, 0))
    sign_in(client, create_user())
    page = client.get_page(url_for("officer.responses_over_time", slug=SLUG))
    assert page.soup.select_one("#timeline-summary").get_text(" ", strip=True) == (
        "3 responses from 1 July 2026 to 2 July 2026. The most in one day was 2, on 1 July 2026."
    )


def test_more_than_three_busiest_days_are_counted_not_named(app, client):
    for day in (1, 2, 3, 4):
        submit_response(SLUG, {}, at=datetime(2026, 7, day, 9, 0))
    sign_in(client, create_user())
    page = client.get_page(url_for("officer.responses_over_time", slug=SLUG))
    assert page.soup.select_one("#timeline-summary").get_text(" ", strip=True) == (
        "4 responses from 1 July 2026 to 4 July 2026. The most in one day was 1, on each of 4 days."
    )


def test_no_responses_means_no_timeline(app, client):
    assert daily_counts(consultation_with_questions(SLUG)) == []
    sign_in(client, create_user())
    # Filtered or not, nothing to count: no filter to remove would bring any day.
    page = client.get_page(url_for("officer.responses_over_time", slug=SLUG, type="paper"))
    assert "No responses yet." in page.text and "Remove a filter" not in page.text
    assert "Responses over time" not in client.get_page(url_for("officer.results", slug=SLUG)).text
    page = client.get_page(url_for("officer.responses_over_time", slug=SLUG))
    assert "No responses yet." in page.text and not page.soup.select(".app-timeline")


def _open(slug: str, opens_on: date, closes_on: date | None) -> None:
    consultation = consultation_with_questions(slug)
    consultation.opens_on, consultation.closes_on = opens_on, closes_on
    db.session.commit()


def test_the_days_run_over_the_filters_dates_while_the_consultation_was_open(
    app, client, monkeypatch
):
    """ "Sent on or after 1 July" starts the days on 1 July, not on the first response's day;
    dates before the consultation opened or after it closed add no days."""
    monkeypatch.setattr(timeline, "uk_today", lambda: date(2026, 12, 6))
    _open(SLUG, date(2026, 6, 29), date(2026, 7, 8))
    submit_response(SLUG, {}, at=datetime(2026, 7, 3, 9, 0))
    submit_response(SLUG, {}, at=datetime(2026, 7, 5, 9, 0))
    consultation = consultation_with_questions(SLUG)

    def days_of(only: ResponseFilter) -> list[str]:
        return [f"{d.day.isoformat()} {d.total}" for d in daily_counts(consultation, only)]

    assert days_of(ResponseFilter(submitted_from=date(2026, 7, 1))) == [
        "2026-07-01 0",
        "2026-07-02 0",
        "2026-07-03 1",
        "2026-07-04 0",
        "2026-07-05 1",
    ]
    assert days_of(ResponseFilter(submitted_from=date(2000, 1, 1)))[0] == "2026-06-29 0"
    assert days_of(ResponseFilter(submitted_to=date(2026, 7, 6)))[-1] == "2026-07-06 0"
    assert days_of(ResponseFilter(submitted_to=date(2030, 1, 1)))[-1] == "2026-07-08 0"
    assert days_of(NO_FILTER) == ["2026-07-03 1", "2026-07-04 0", "2026-07-05 1"]
    # Days outside the filter's own dates are never added, even to reach the open days: a
    # response keyed in before the opening day, filtered to days before it.
    submit_response(SLUG, {}, at=datetime(2026, 6, 26, 9, 0), channel=ResponseChannel.PAPER)
    before_opening = days_of(ResponseFilter(submitted_to=date(2026, 6, 27)))
    assert before_opening == ["2026-06-26 1"]
    since_before_opening = days_of(ResponseFilter(submitted_from=date(2026, 6, 20)))
    assert since_before_opening[0] == "2026-06-26 1" and since_before_opening[-1] == "2026-07-05 1"

    sign_in(client, create_user())
    page = client.get_page(
        url_for(
            "officer.responses_over_time",
            slug=SLUG,
            **{"from-day": "1", "from-month": "7", "from-year": "2026"},
        )
    )
    rows = [r.get_text(" ", strip=True) for r in page.soup.select("#responses-by-day tbody tr")]
    assert rows[0] == "1 July 2026 0 0 0 0 0" and len(rows) == 6
    assert page.soup.select_one("#timeline-summary").get_text(" ", strip=True) == (
        "2 responses from 1 July 2026 to 5 July 2026. The most in one day was 1, on each of "
        "3 July 2026 and 5 July 2026."
    )
    assert [s.get_text() for s in page.soup.select(".app-timeline__days span")] == [
        "1 Jul 2026",
        "5 Jul 2026",
    ]

    # And one keyed in after the closing day, filtered to days after it: no closed days added.
    submit_response(SLUG, {}, at=datetime(2026, 7, 12, 9, 0), channel=ResponseChannel.PAPER)
    assert days_of(ResponseFilter(submitted_from=date(2026, 7, 10))) == ["2026-07-12 1"]


def test_the_chart_shows_its_scale_and_first_and_last_days(app, client):
    for hour in range(9, 16):  # 7 on 1 July
        submit_response(SLUG, {}, at=datetime(2026, 7, 1, hour, 0))
    submit_response(SLUG, {}, at=datetime(2026, 7, 3, 9, 0))
    sign_in(client, create_user())
    page = client.get_page(url_for("officer.responses_over_time", slug=SLUG))
    chart_box = page.soup.select_one(".app-timeline")
    assert "on a scale of 0 to 8 responses" in chart_box["aria-label"]
    ticks = [
        t.get_text()
        for t in chart_box.select(".app-timeline__tick:not(.app-timeline__tick--widest)")
    ]
    assert ticks == ["0", "2", "4", "6", "8"]
    assert [s.get_text() for s in chart_box.select(".app-timeline__days span")] == [
        "1 Jul 2026",
        "3 Jul 2026",
    ]
    # One column a day, each as tall as its day's count on that scale: 7 of 8, 0, 1 of 8.
    bars = chart_box.select("rect.app-timeline__bar")
    assert [float(bar["height"]) for bar in bars] == [87.5, 0.0, 12.5]
    assert [float(bar["y"]) + float(bar["height"]) for bar in bars] == [100.0] * 3
    # Three days: the chart widens a day at a time rather than filling the page.
    assert "app-timeline--days-3" in chart_box["class"]


def test_the_days_never_run_past_today_nor_before_an_unknown_opening(app, monkeypatch):
    """Still open, "sent on or before" a later date ends on today; with no opening date, "sent
    on or after" a date long before the first response widens nothing (there is no knowing
    where the consultation's days began)."""
    monkeypatch.setattr(timeline, "uk_today", lambda: date(2026, 7, 7))
    _open(SLUG, date(2026, 6, 29), None)
    submit_response(SLUG, {}, at=datetime(2026, 7, 3, 9, 0))
    consultation = consultation_with_questions(SLUG)
    to_2030 = daily_counts(consultation, ResponseFilter(submitted_to=date(2030, 1, 1)))
    assert [d.day.isoformat() for d in to_2030] == [
        "2026-07-03",
        "2026-07-04",
        "2026-07-05",
        "2026-07-06",
        "2026-07-07",
    ]
    consultation.opens_on = None
    db.session.commit()
    since_2000 = daily_counts(consultation, ResponseFilter(submitted_from=date(2000, 1, 1)))
    assert [d.day.isoformat() for d in since_2000] == ["2026-07-03"]
    # Opening after today (its response keyed in early): no open days to widen to.
    consultation.opens_on = date(2026, 7, 10)
    db.session.commit()
    both = ResponseFilter(submitted_from=date(2026, 7, 1), submitted_to=date(2026, 7, 20))
    assert [d.day.isoformat() for d in daily_counts(consultation, both)] == ["2026-07-03"]


def test_todays_count_is_said_to_be_so_far(app, client, monkeypatch):
    """Responses can still arrive today: its row says its count is so far; earlier days not."""
    monkeypatch.setattr("portal.officer.results_views.uk_today", lambda: date(2026, 7, 2))
    submit_response(SLUG, {}, at=datetime(2026, 7, 1, 9, 0))
    submit_response(SLUG, {}, at=datetime(2026, 7, 2, 9, 0))
    sign_in(client, create_user())
    page = client.get_page(url_for("officer.responses_over_time", slug=SLUG))
    days = [th.get_text(" ", strip=True) for th in page.soup.select("#responses-by-day tbody th")]
    assert days == ["1 July 2026", "2 July 2026 (today, so far)", "All days"]

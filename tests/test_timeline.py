"""Responses day by day, in UK days, total and by how they arrived."""

from __future__ import annotations

from datetime import datetime

import pytest
from flask import url_for

from portal.consultations.service import consultation_with_questions
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
    page = client.get_page(url_for("officer.results", slug=SLUG))
    rows = [r.get_text(" ", strip=True) for r in page.soup.select("#responses-by-day tbody tr")]
    assert rows == [
        "1 July 2026 1 1 0 0 0",
        "2 July 2026 1 1 0 0 0",
        "3 July 2026 0 0 0 0 0",
        "4 July 2026 1 0 1 0 0",
    ]
    chart = page.soup.select_one(".app-timeline")
    assert chart["role"] == "img" and "3 in all" in chart["aria-label"]


def test_no_responses_means_no_timeline(app, client):
    assert daily_counts(consultation_with_questions(SLUG)) == []
    sign_in(client, create_user())
    assert "Responses over time" not in client.get_page(url_for("officer.results", slug=SLUG)).text

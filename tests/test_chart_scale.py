"""The responses-over-time chart's scale: four equal steps of a round size over the busiest
day (the page that draws it is tested in tests/test_timeline.py)."""

from __future__ import annotations

from datetime import date

import pytest

from portal.reporting.timeline import Day, chart_scale


@pytest.mark.parametrize(
    ("most", "ticks"),
    [
        (0, (0, 1, 2, 3, 4)),
        (3, (0, 1, 2, 3, 4)),
        (7, (0, 2, 4, 6, 8)),
        (9, (0, 3, 6, 9, 12)),
        (21, (0, 6, 12, 18, 24)),
        (41, (0, 15, 30, 45, 60)),
        (250, (0, 75, 150, 225, 300)),
        (999, (0, 250, 500, 750, 1000)),
        (1001, (0, 300, 600, 900, 1200)),
    ],
)
def test_the_scale_is_four_round_steps_over_the_busiest_day(most, ticks):
    scale = chart_scale([Day(date(2026, 7, 1), total=most), Day(date(2026, 7, 2), total=most // 2)])
    assert scale.ticks == ticks and scale.top == ticks[-1] and scale.most == most
    assert scale.heights == (100 * most / ticks[-1], 100 * (most // 2) / ticks[-1])


def test_the_busiest_day_reaches_well_up_the_chart():
    """From 5 responses on, the busiest day's column is at least 60% of the chart's height."""
    lowest = min(chart_scale([Day(date(2026, 7, 1), total=n)]).heights[0] for n in range(5, 20001))
    assert lowest >= 60


def test_no_days_have_a_scale_of_0_to_4():
    scale = chart_scale([])
    assert (scale.top, scale.ticks, scale.most, scale.heights) == (4, (0, 1, 2, 3, 4), 0, ())

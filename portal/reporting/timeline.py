"""Responses day by day (UK days), in total and by how they arrived."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from portal.clock import UK, uk_today
from portal.consultations.models import Consultation
from portal.reporting.filters import NO_FILTER, ResponseFilter
from portal.reporting.response_set import ResponseSet


@dataclass
class Day:
    day: date
    total: int = 0
    by_channel: dict[str, int] = field(default_factory=dict)
    through_links: int = 0


def daily_counts(
    consultation: Consultation, only: ResponseFilter | ResponseSet = NO_FILTER
) -> list[Day]:
    """Counts per part of a UTC day and channel (at most two parts a day, each on one UK day;
    under a filter, the results index's own rows a day besides), folded here into UK calendar
    days, which move between UTC and BST; days with no responses in the range are listed as
    0. The range runs from the first response's day to the last's, widened to the filter's
    own dates ("sent on or after 1 December" starts on 1 December) where the consultation was
    open on them."""
    responses = ResponseSet.of(consultation.id, only)
    return _days(responses.day_parts(), *_filter_dates(consultation, responses.only))


def _filter_dates(
    consultation: Consultation, only: ResponseFilter
) -> tuple[date | None, date | None]:
    """The filter's dates, each brought inside both the filter's own range and the days the
    consultation was open (from its opening to its closing, or today if sooner, UK):
    "sent on or after 1 January 2000" adds no empty years, nor "on or before 2030" empty days
    to come; when the two ranges do not meet, nothing is widened. Without an opening date
    there is no knowing where its days begin, so an "on or after" date widens nothing."""
    opened = consultation.opens_on
    open_until = min(consultation.closes_on or date.max, uk_today())
    low = max(only.submitted_from or date.min, opened or date.min)
    high = min(only.submitted_to or date.max, open_until)
    if low > high:
        return None, None
    return (low if only.submitted_from and opened else None), (high if only.submitted_to else None)


@dataclass(frozen=True)
class ChartScale:
    """The column chart's scale and the columns it gives: `top` is the value of its top line,
    `ticks` the values of its five evenly spaced lines from 0 up, `most` the busiest day's
    count, and `heights` each day's column as a percentage of the chart's height."""

    top: int
    ticks: tuple[int, ...]
    most: int
    heights: tuple[float, ...]


# A step between the chart's lines is one of these times a power of ten, and a whole number:
# its lines read 0, 3, 6, 9, 12 or 0, 250, 500, 750, 1,000, never 0, 7, 14, 21, 28; and the
# busiest day's column reaches more than half way up (from 5 responses, 60% or more).
_STEPS = (1, 1.5, 2, 2.5, 3, 4, 5, 6, 7.5)


def chart_scale(days: list[Day]) -> ChartScale:
    """The scale that fits the busiest day under four equal steps of a round size."""
    most = max((day.total for day in days), default=0)
    power = 1
    while True:
        whole_steps = [int(n * power) for n in _STEPS if n * power == int(n * power)]
        step = next((size for size in whole_steps if size * 4 >= most), None)
        if step is not None:
            break
        power *= 10
    top = step * 4
    return ChartScale(
        top,
        tuple(step * n for n in range(5)),
        most,
        tuple(100 * day.total / top for day in days),
    )


def totals(days: Iterable[Day]) -> Day:
    """The days added up, channel by channel (its `day` is the first day's)."""
    days = list(days)
    summed = Day(days[0].day if days else date.min, by_channel=defaultdict(int))
    for day in days:
        summed.total += day.total
        summed.through_links += day.through_links
        for channel, count in day.by_channel.items():
            summed.by_channel[channel] += count
    return summed


def _days(
    rows: Iterable[tuple[datetime, str, int, int]],
    from_day: date | None = None,
    to_day: date | None = None,
) -> list[Day]:
    """Counts (naive UTC moment, channel, responses, through links) as UK days, every day
    from the first to the last, the range widened to `from_day` and `to_day` when there are
    any."""
    days: dict[date, Day] = {}
    for moment, channel, count, linked in rows:
        uk_day = moment.replace(tzinfo=UTC).astimezone(UK).date()
        entry = days.setdefault(uk_day, Day(uk_day, by_channel=defaultdict(int)))
        entry.total += count
        entry.by_channel[str(channel)] += count  # a StrEnum from SQL, a str from the tallies
        entry.through_links += linked
    if not days:
        return []
    first, last = min(days), max(days)
    if from_day is not None:
        first = min(first, from_day)
    if to_day is not None:
        last = max(last, to_day)
    return [
        days.get(first + timedelta(days=n), Day(first + timedelta(days=n)))
        for n in range((last - first).days + 1)
    ]

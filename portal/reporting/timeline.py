"""Responses day by day (UK days), in total and by how they arrived."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from portal.clock import UK
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
    0."""
    return _days(ResponseSet.of(consultation.id, only).day_parts())


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


def _days(rows: Iterable[tuple[datetime, str, int, int]]) -> list[Day]:
    """Counts (naive UTC moment, channel, responses, through links) as UK days."""
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
    return [
        days.get(first + timedelta(days=n), Day(first + timedelta(days=n)))
        for n in range((last - first).days + 1)
    ]

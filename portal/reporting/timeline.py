"""Responses day by day (UK days), in total and by how they arrived."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa

from portal.clock import UK
from portal.consultations.models import Consultation
from portal.extensions import db
from portal.reporting import results_index
from portal.reporting.filters import NO_FILTER, ResponseFilter
from portal.responses import tallies
from portal.responses.models import Response, ResponseChannel


@dataclass
class Day:
    day: date
    total: int = 0
    by_channel: dict[str, int] = field(default_factory=dict)
    through_links: int = 0


def daily_counts(consultation: Consultation, only: ResponseFilter = NO_FILTER) -> list[Day]:
    """Counts per UTC hour (a day has at most 24), folded here into UK calendar days, which
    move between UTC and BST; days with no responses in the range are listed as 0."""
    if not only.active:
        return _days(tallies.hourly(consultation.id))
    # The results index's days for the responses it covers, GROUP BY for the rest.
    matched = results_index.match(consultation.id, only)
    rows = matched.hourly_rows()
    hour = tallies.hour_of(Response.submitted_at)
    rows += db.session.execute(
        sa.select(
            hour,
            Response.channel,
            sa.func.count(Response.id),
            sa.func.count(Response.distribution_channel_id),
        )
        .where(Response.consultation_id == consultation.id, *matched.rest.conditions())
        .group_by(hour, Response.channel)
    ).all()
    return _days(rows)


def _days(rows: Iterable[tuple[datetime, str, int, int]]) -> list[Day]:
    """Hourly counts (naive UTC hour, channel, responses, through links) as UK days."""
    days: dict[date, Day] = {}
    for hour, channel, count, linked in rows:
        uk_day = hour.replace(tzinfo=UTC).astimezone(UK).date()
        entry = days.setdefault(uk_day, Day(uk_day, by_channel=defaultdict(int)))
        entry.total += count
        entry.by_channel[ResponseChannel(channel).value] += count
        entry.through_links += linked
    if not days:
        return []
    first, last = min(days), max(days)
    return [
        days.get(first + timedelta(days=n), Day(first + timedelta(days=n)))
        for n in range((last - first).days + 1)
    ]

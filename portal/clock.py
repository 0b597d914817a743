"""The portal's clock: every datetime column holds naive UTC, and every date a person reads or
chooses (a consultation's opening and closing days, "today") is a UK calendar day."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

UK = ZoneInfo("Europe/London")


def utcnow() -> datetime:
    """Naive UTC, as stored in every datetime column."""
    return datetime.now(UTC).replace(tzinfo=None)


def uk_today(now: datetime | None = None) -> date:
    """Opening and closing dates are UK calendar days."""
    moment = (now or utcnow()).replace(tzinfo=UTC)
    return moment.astimezone(UK).date()


def uk_midnight_in_utc(day: date) -> datetime:
    """The start of a UK calendar day as the naive UTC the datetime columns store."""
    return datetime.combine(day, time.min, tzinfo=UK).astimezone(UTC).replace(tzinfo=None)


def in_uk_time(at: datetime | None) -> datetime | None:
    """A stored time (naive UTC) as the clock in the UK showed it, British Summer Time
    included: how pages and exports give times."""
    if at is None:
        return None
    return at.replace(tzinfo=UTC).astimezone(UK)

"""Indicator figures written as the committee report prints them.

One function for every page, export and report that shows an indicator value or target, so
the committee reads the same "£1,706,510" on screen, on paper and in a spreadsheet. Decimals
are held as NUMERIC(14, 2); `Decimal.normalize()` alone would print 1800 as "1.8E+3", which is
why the text is always written in fixed-point here.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import yaml
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from portal.i18n import long_date

if TYPE_CHECKING:
    from portal.strategy.models import IndicatorValue

UK = ZoneInfo("Europe/London")
DATA_FILE = Path(__file__).resolve().parent.parent / "data" / "strategy.yaml"
# Who the seed data says recorded the figures it loads from the report.
SEED_RECORDER = "seed data"

UNITS = ("count", "percent", "pounds", "weeks", "hours")
UNIT_LABELS = {
    "count": _l("Count"),
    "percent": _l("Percentage"),
    "pounds": _l("Pounds (£)"),
    "weeks": _l("Weeks"),
    "hours": _l("Hours"),
}
# How an error asks for a figure in a unit: "Give the figure as a count", "… in weeks".
GIVEN_AS = {
    "count": _l("as a count"),
    "percent": _l("as a percentage"),
    "pounds": _l("in pounds (£)"),
    "weeks": _l("in weeks"),
    "hours": _l("in hours"),
}
_NOUNS = {"weeks": ("week", "weeks"), "hours": ("hour", "hours")}


MINUS = "\u2212"  # the minus sign, as print uses, and never read as a formula in a spreadsheet


def plain_number(value: Decimal) -> str:
    """Thousands separators and no trailing zeros, never scientific notation: 1,800 and 5.6."""
    text = f"{abs(value).normalize():,f}"
    return text if value >= 0 or text == "0" else MINUS + text


def signed_points(value: float) -> str:
    """A difference in percentage points to one decimal place, signed as print signs it:
    +32.1, a minus sign before 26.7 (MINUS, not a hyphen), and 0.0 with no sign."""
    text = f"{abs(value):.1f}"
    if text == "0.0":
        return text
    return ("+" if value > 0 else MINUS) + text


def p_value(value: float) -> str:
    """A test's p value as a statistician writes it: "p = 0.006", and "p < 0.001" below that.
    Close to 0.05 it has a fourth place ("p = 0.0497"), so it never reads 0.050 beside a
    verdict that turns on which side of 0.05 it falls."""
    if value < 0.001:
        return "p < 0.001"
    return f"p = {value:.4f}" if 0.0495 <= value < 0.0505 else f"p = {value:.3f}"


def interval_end(value: float) -> str:
    """An end of a change's interval, in points, signed like signed_points; an end closer to 0
    than 0.05 points gets the places that show which side of 0 it is ("+0.02"), since whether
    the interval holds 0 decides the verdict beside it."""
    if value and abs(value) < 0.05:
        for places in (2, 3, 4):
            text = f"{abs(value):.{places}f}"
            if text.strip("0.") or places == 4:
                return ("+" if value > 0 else MINUS) + text
    return signed_points(value)


def format_figure(value: Decimal | None, unit: str) -> str:
    """The figure with its unit: "90", "60%", "£1,706,510", "1 week", "1,800 hours".

    An empty string where there is no figure (the report says "not known" or "to be
    confirmed"); the caller says so in its own words.
    """
    if value is None or not value.is_finite():
        return ""
    number = plain_number(value)
    if unit == "percent":
        return f"{number}%"
    if unit == "pounds":
        return f"{MINUS}£{number[1:]}" if number.startswith(MINUS) else f"£{number}"
    if unit in _NOUNS:
        singular, plural = _NOUNS[unit]
        return f"{number} {singular if abs(value) == 1 else plural}"
    return number


@dataclass
class SourceGroup:
    """Figures that share where they come from and who recorded them, and when."""

    periods: list[str]
    source: str
    recorded: str


def figure_sources(values: Iterable[IndicatorValue], several: bool = False) -> list[SourceGroup]:
    """Where figures come from and who recorded them when, grouped so that figures with the
    same story say it once. Figures loaded from the committee report itself are left out:
    every page says that once, at the top (`report_source`). With `several` measures each
    period is named with its measure."""
    groups: dict[tuple[str, str, date], SourceGroup] = {}
    default = report_source()
    for value in values:
        if value.source == default and value.recorded_by == SEED_RECORDER:
            continue
        day = uk_date_of(value.recorded_at)
        key = (value.source, value.recorded_by, day)
        if key not in groups:
            who = value.recorded_by
            when = long_date(day)
            recorded = (
                _("Loaded from the report with the portal's seed data on %(date)s", date=when)
                if who == SEED_RECORDER
                else _("Recorded by %(who)s on %(date)s", who=who, date=when)
            )
            groups[key] = SourceGroup([], value.source, recorded)
        name = value.measure.name if several and value.measure.name else ""
        groups[key].periods.append(f"{name}, {value.period}" if name else value.period)
    return list(groups.values())


@cache
def report_source() -> str:
    """The committee report, as the seed data names it: the source of every figure loaded
    without a source of its own."""
    with DATA_FILE.open(encoding="utf-8") as handle:
        source: str = yaml.safe_load(handle)["source"]
    return " ".join(source.split())


def uk_date_of(moment: datetime | None) -> date:
    """The UK calendar day of a stored moment (held in UTC, without a time zone)."""
    if moment is None:
        return datetime.now(UK).date()
    return moment.replace(tzinfo=UTC).astimezone(UK).date()

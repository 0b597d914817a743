"""Small-number suppression: the one function every school-facing and public figure goes
through. Officers see exact figures; nobody else sees a count from 1 to 9.

It sits at the base, below every package: school pages (portal/schools), published results
(portal/publications) and the committee report all apply it, and none of them is above another.

Rules:
- primary: a count from 1 to 9 is shown as "fewer than 10" (0 is shown: nobody is identified);
- secondary: where a total is shown and exactly one cell of its breakdown is hidden, the hidden
  cell could be worked out as the total minus the others, so the smallest other cell is hidden
  too (shown as "not shown").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from flask_babel import LazyString
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

THRESHOLD = 10
FEWER_THAN: LazyString = _l("fewer than %(threshold)s", threshold=THRESHOLD)
NOT_SHOWN: LazyString = _l("not shown")


@dataclass(frozen=True)
class Figure:
    """A count as someone other than an officer may see it."""

    value: int
    reason: str | None = None  # None (shown), "small" or "secondary"

    @property
    def hidden(self) -> bool:
        return self.reason is not None

    @property
    def text(self) -> str:
        if self.reason == "small":
            return str(FEWER_THAN)
        if self.reason == "secondary":
            return str(NOT_SHOWN)
        return f"{self.value:,}"

    @property
    def shown_value(self) -> int | None:
        return None if self.hidden else self.value


def suppress_count(count: int) -> Figure:
    return Figure(count, "small" if 0 < count < THRESHOLD else None)


def suppress(cells: Sequence[int], total: int | None = None) -> tuple[list[Figure], Figure | None]:
    """The cells of a breakdown, and its total if it has one, safe to show."""
    figures = [suppress_count(cell) for cell in cells]
    total_figure = suppress_count(total) if total is not None else None
    if total_figure is not None and not total_figure.hidden:
        hidden = [index for index, figure in enumerate(figures) if figure.hidden]
        if len(hidden) == 1:
            others = [index for index in range(len(cells)) if index not in hidden]
            # Hide the smallest non-zero other cell; zeros only when there is nothing else.
            candidates = [i for i in others if cells[i] > 0] or others
            if candidates:
                second = min(candidates, key=lambda i: (cells[i], i))
                figures[second] = Figure(cells[second], "secondary")
    return figures, total_figure


def rate_per_100(figure: Figure, pupils: int) -> str:
    """Responses per 100 pupils, shown only when the count itself is shown."""
    if figure.hidden or not pupils:
        return str(NOT_SHOWN) if figure.hidden else _("no pupil figure")
    return f"{100 * figure.value / pupils:.1f}"

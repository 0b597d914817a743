"""Whole numbers taken from a URL or a form: ids and page numbers.

An id past PostgreSQL's `integer` range (a typed or probed `?group=99999999999999999999`)
made the database refuse the query, and the request failed with a bare 500. Numbers are
checked here instead, before any query: out of range is "no such thing" (404).
"""

from __future__ import annotations

import re
from typing import Any

from werkzeug.routing import IntegerConverter

# The largest value of a SQLAlchemy Integer column on PostgreSQL (int4), so of any id.
LARGEST_ID = 2**31 - 1
# A paginated list has at most this many pages (a million rows at the smallest page size).
LARGEST_PAGE = 100_000

_ASCII_DIGITS = re.compile(r"[0-9]{1,12}")


def whole_number(raw: str | None, largest: int = LARGEST_ID) -> int | None:
    """`raw` as a whole number from 0 to `largest`, or None. Only ASCII digits: "²" and "٣"
    pass str.isdigit() but are not what anyone types in a URL."""
    if raw is None or not _ASCII_DIGITS.fullmatch(raw):
        return None
    value = int(raw)
    return value if value <= largest else None


class IdConverter(IntegerConverter):
    """The `<int:...>` URL converter, bounded to what an id column can hold: a larger number
    is a 404, like any id that does not exist."""

    def __init__(self, url_map: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", LARGEST_ID)
        super().__init__(url_map, **kwargs)

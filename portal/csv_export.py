"""The one CSV writer for every download: responses, summaries, indicators, the audit log,
responses by school.

UTF-8 with a byte-order mark, so that spreadsheets read accented names and curly quotes, and
every text cell that a spreadsheet would run as a formula (CSV injection: a school or answer
typed as `=HYPERLINK(...)`) written with a leading apostrophe, which spreadsheets hide.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from typing import Any

# The Content-Type of every CSV download, given whole: a response built with mimetype="text/csv"
# has Werkzeug add the charset, and one built from a type that already says it would get it
# twice ("text/csv; charset=utf-8; charset=utf-8"). Pass it as content_type, which is kept as is.
CSV_TYPE = "text/csv; charset=utf-8"
# Rows written between yields: large exports stream rather than sit in memory.
ROWS_PER_CHUNK = 2000
# What a spreadsheet reads as the start of a formula.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(cell: Any) -> Any:
    """Text that could run as a formula, defused; numbers and empty cells as they are."""
    if isinstance(cell, str) and cell.startswith(FORMULA_START):
        return "'" + cell
    return cell


def csv_text(head: Iterable[Any], body: Iterable[Iterable[Any]]) -> Iterator[str]:
    """`head` then every row of `body` as CSV text, yielded a chunk at a time."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([safe_cell(cell) for cell in head])
    yield "\ufeff" + buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    for count, row in enumerate(body, start=1):
        writer.writerow([safe_cell(cell) for cell in row])
        if count % ROWS_PER_CHUNK == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()

"""Checking a CSV file row by row before anything is imported (schools, panel members).

Every row is checked and every problem kept with its line number, so a person can correct the
whole file in one go; the caller imports nothing while there are problems, unless told to skip
the bad rows.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TextIO

from flask_babel import LazyString
from flask_babel import gettext as _


def lookup_key(text: str) -> str:
    """How a typed category is matched: "Nuneaton and Bedworth", "nuneaton_bedworth" and
    "65 to 74" / "65_74" become the same key."""
    return re.sub(r"[^a-z0-9]+", "_", text.strip().lower()).strip("_")


class CsvFileError(Exception):
    """The file cannot be read as the expected CSV at all (a required column is missing)."""


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    # (line number, reason): every problem found, so a row may have more than one.
    problems: list[tuple[int, str]] = field(default_factory=list)
    imported: bool = False

    @property
    def bad_rows(self) -> int:
        return len({line for line, _ in self.problems})

    def problems_by_line(self) -> list[tuple[int, list[str]]]:
        by_line: dict[int, list[str]] = {}
        for line, reason in self.problems:
            by_line.setdefault(line, []).append(reason)
        return list(by_line.items())


def checked_rows(
    handle: TextIO,
    required: tuple[str, ...],
    clean: Callable[[dict[str, Any]], dict[str, Any]],
    key: str,
    twice: str | LazyString,
) -> tuple[dict[str, dict[str, Any]], ImportReport]:
    """Each good row's cleaned values by `key`, and a report of the bad rows.

    `clean` raises ValueError (with a reason fit to show) for a bad row, or one with a `reasons`
    list to report each of several problems on it. `twice` is the message for a key that
    appears twice, the key as its %(value)s. Column names are matched without regard to case
    or surrounding spaces; columns not asked for are ignored.
    """
    reader = csv.DictReader(handle)
    header = [column.strip().lower() for column in reader.fieldnames or []]
    missing = [column for column in required if column not in header]
    if missing:
        raise CsvFileError(
            _(
                "the first line must name the columns %(columns)s (missing: %(missing)s)",
                columns=",".join(required),
                missing=", ".join(missing),
            )
        )
    reader.fieldnames = header
    report = ImportReport()
    rows: dict[str, dict[str, Any]] = {}
    for row in reader:
        line = reader.line_num
        try:
            values = clean(row)
        except ValueError as problem:
            reasons = getattr(problem, "reasons", None) or [str(problem)]
            report.problems.extend((line, reason) for reason in reasons)
            continue
        if values[key] in rows:
            report.problems.append((line, str(twice) % {"value": values[key]}))
            continue
        rows[values[key]] = values
    return rows, report

"""Responses as CSV, XLSX or ODS, one row per response and one column per question or option,
labels not ids, with the themes officers gave each comment. Read in chunks of responses and
streamed, so 100,000 responses never sit in memory. Also the summary tables (every question's
counts) in the same three formats. Everything follows the results filters."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from portal.clock import UK, utcnow
from portal.comments.models import CommentTag, Theme
from portal.consultations.models import Consultation, Question
from portal.consultations.question_types import ResultsKind, kind_of
from portal.csv_export import csv_text
from portal.extensions import db
from portal.reporting.filters import NO_FILTER, ResponseFilter, language_name
from portal.reporting.service import percent, question_results
from portal.reporting.spreadsheets import Cell, Sheet, cell_text
from portal.responses.models import Answer, Response
from portal.responses.service import format_reference
from portal.schools.models import DistributionChannel

CHUNK = 2000
# Responses written per second by the slowest format (XLSX) on PostgreSQL, measured with
# `make bench` (bench/results.md); used to tell officers how long a large download takes.
ROWS_PER_SECOND = 5000
ANSWER_FIELDS = ("option_id", "text", "number", "statement_id", "rank")


def _has_themes(question: Question) -> bool:
    return kind_of(question).results == ResultsKind.COMMENTS


def seconds_to_export(responses: int) -> int | None:
    """A rough duration for a download, worth saying only when it is more than a moment."""
    seconds = responses / ROWS_PER_SECOND
    return round(seconds) if seconds >= 3 else None


def header(consultation: Consultation) -> list[str]:
    # What the response is, then its answers: the language (issue 29) after the other facts,
    # so the columns before it stay where they were.
    columns = ["Reference", "Sent (UK time)", "How it arrived", "Link it came by", "Language"]
    for question in consultation.questions:
        columns += kind_of(question).export_columns(question)
        if _has_themes(question):
            columns.append(f"{question.text} (themes)")
    return columns


def _themes_of(ids: list[int]) -> dict[tuple[int, int], str]:
    """(response, question) -> the themes of that comment, "; "-separated, for a chunk."""
    found: dict[tuple[int, int], list[str]] = defaultdict(list)
    for response_id, question_id, name in db.session.execute(
        sa.select(Answer.response_id, Answer.question_id, Theme.name)
        .join(CommentTag, CommentTag.answer_id == Answer.id)
        .join(Theme, Theme.id == CommentTag.theme_id)
        .where(Answer.response_id.in_(ids))
    ):
        found[(response_id, question_id)].append(name)
    return {key: "; ".join(sorted(names, key=str.lower)) for key, names in found.items()}


def rows(
    consultation: Consultation, chunk: int = CHUNK, only: ResponseFilter = NO_FILTER
) -> Iterator[list[Cell]]:
    """Every response (that the filter matches), oldest first, read `chunk` at a time by
    keyset (never OFFSET)."""
    questions = [q for q in consultation.questions if kind_of(q).asks]
    last_id = 0
    while True:
        batch = db.session.execute(
            sa.select(
                Response.id,
                Response.reference,
                Response.submitted_at,
                Response.channel,
                DistributionChannel.name.label("link_name"),
                Response.language,
            )
            .outerjoin(
                DistributionChannel, DistributionChannel.id == Response.distribution_channel_id
            )
            .where(
                Response.consultation_id == consultation.id,
                Response.id > last_id,
                *only.conditions(),
            )
            .order_by(Response.id)
            .limit(chunk)
        ).all()
        if not batch:
            return
        ids = [row.id for row in batch]
        answers: dict[int, dict[int, list[dict[str, Any]]]] = defaultdict(lambda: defaultdict(list))
        for response_id, question_id, *content in db.session.execute(
            sa.select(
                Answer.response_id,
                Answer.question_id,
                Answer.option_id,
                Answer.text,
                Answer.number,
                Answer.statement_id,
                Answer.rank,
            ).where(Answer.response_id.in_(ids))
        ):
            answers[response_id][question_id].append(dict(zip(ANSWER_FIELDS, content, strict=True)))
        themes = _themes_of(ids) if any(_has_themes(q) for q in questions) else {}
        for row in batch:
            cells: list[Cell] = [
                format_reference(row.reference),  # as the respondent was shown it
                _uk_minute(row.submitted_at),
                row.channel.label,
                row.link_name or "",
                language_name(row.language),
            ]
            for question in questions:
                given = answers[row.id].get(question.id, [])
                cells += kind_of(question).export_cells(question, given)
                if _has_themes(question):
                    cells.append(themes.get((row.id, question.id), ""))
            yield cells
        last_id = ids[-1]  # plain rows, not ORM objects: the session keeps nothing of them


def _uk_minute(utc: datetime) -> datetime:
    """A stored UTC time as the UK clock read it, to the minute (spreadsheets hold no zone)."""
    return utc.replace(tzinfo=UTC).astimezone(UK).replace(tzinfo=None, second=0, microsecond=0)


def _as_text(body: Iterable[list[Cell]]) -> Iterator[list[str]]:
    for row in body:
        yield [cell_text(cell) for cell in row]


def stream_csv(consultation: Consultation, only: ResponseFilter = NO_FILTER) -> Iterator[str]:
    """The CSV text, a chunk of responses at a time; UTF-8 with a byte-order mark so that
    spreadsheets read accented names and curly quotes correctly."""
    return csv_text(header(consultation), _as_text(rows(consultation, only=only)))


def about_rows(consultation: Consultation, only: ResponseFilter, what: str) -> list[list[Cell]]:
    """The "About this export" sheet: what the file holds, and which responses."""
    return [
        ["About this export", ""],
        ["Consultation", consultation.title],
        ["Contents", what],
        ["Responses included", only.describe()],
        ["Exported (UK time)", _uk_minute(utcnow())],
    ]


def summary_header() -> list[str]:
    return ["Question", "Statement", "Answer", "Count", "Percentage", "Base (people)", "Value"]


def summary_rows(consultation: Consultation, only: ResponseFilter = NO_FILTER) -> list[list[Cell]]:
    """Every question's figures as the results page shows them, answers in the form's order:
    one row per answer with its count and the percentage of the people who answered (each
    matrix statement's too); for numbers, their mean, median, smallest and largest (in Value,
    the count answering as the base); for dates, the earliest and latest (in Value) and the
    answers in each month; and how many were not asked a routed question, or skipped it."""
    _, results = question_results(consultation, only)
    found: list[list[Cell]] = []
    for question in consultation.questions:
        result = results.get(question.id)
        if result is None:
            continue
        text = question.text
        for row in result.choice_rows if result.kind == ResultsKind.CHOICES else []:
            label = row.label if row.option else f"Other: {row.label}"
            found.append(_summary_row(text, "", label, row.count, row.percent, result.answered))
        for statement in result.statements:
            for option in statement.options:
                found.append(
                    _summary_row(
                        text,
                        statement.statement.label,
                        option.option.shown_label,
                        option.count,
                        option.percent,
                        statement.answered,
                    )
                )
        if result.kind == ResultsKind.COMMENTS:
            found.append(
                _summary_row(text, "", "Comments", result.comment_count, None, result.answered)
            )
        if result.numbers is not None:
            numbers = result.numbers
            for label, value in (
                ("Average (mean)", numbers.mean),
                ("Median", numbers.median),
                ("Smallest", numbers.smallest),
                ("Largest", numbers.largest),
            ):
                found.append(
                    [*_summary_row(text, "", label, None, None, numbers.count)[:6], _plain(value)]
                )
        if result.kind == ResultsKind.DATES:
            for label, day in (("Earliest", result.earliest), ("Latest", result.latest)):
                found.append(
                    [*_summary_row(text, "", label, None, None, result.answered)[:6], day or ""]
                )
            for month, count in result.by_month:
                found.append(
                    _summary_row(
                        text,
                        "",
                        f"{month:%B %Y}",
                        count,
                        percent(count, result.answered),
                        result.answered,
                    )
                )
        # Split as the results page splits it (templates/components/results.html): a question
        # with no routing condition was not asked because the response answered a version of
        # the consultation from before the question was added.
        not_asked = (
            "Not asked (routed past it by their earlier answers)"
            if result.asked_when
            else "Not asked (answered a version of the consultation without it)"
        )
        for label, count in (
            (not_asked, result.not_asked),
            ("Skipped (asked, not answered)", result.skipped),
        ):
            if count:
                found.append(_summary_row(text, "", label, count, None, None))
    return found


def _plain(value: Decimal | None) -> str:
    """A number as a spreadsheet reads one: no exponent, no trailing zeros."""
    if value is None:
        return ""
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _summary_row(
    question: str,
    statement: str,
    answer: str,
    count: int | None,
    share: float | None,
    base: int | None,
) -> list[Cell]:
    return [
        question,
        statement,
        answer,
        "" if count is None else str(count),
        "" if share is None else f"{share:.1f}",
        "" if base is None else str(base),
        "",
    ]


def stream_summary_csv(
    consultation: Consultation, only: ResponseFilter = NO_FILTER
) -> Iterator[str]:
    return csv_text(summary_header(), _as_text(summary_rows(consultation, only)))


def spreadsheet_sheets(
    consultation: Consultation, only: ResponseFilter, summary: bool
) -> list[Sheet]:
    if summary:
        return [
            ("Summary", [summary_header(), *summary_rows(consultation, only)]),
            ("About this export", about_rows(consultation, only, "Counts for every question")),
        ]
    return [
        ("Responses", _with_header(header(consultation), rows(consultation, only=only))),
        ("About this export", about_rows(consultation, only, "One row per response")),
    ]


def _with_header(head: list[str], body: Iterator[list[Cell]]) -> Iterator[Sequence[Cell]]:
    yield head
    yield from body

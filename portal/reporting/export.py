"""Responses as CSV, XLSX or ODS, one row per response and one column per question or option,
labels not ids, with the themes officers gave each comment. Read in chunks of responses and
streamed, so 100,000 responses never sit in memory. Also the summary tables (every question's
counts) in the same three formats. Everything follows the results filters."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from datetime import UTC
from typing import Any

import sqlalchemy as sa

from portal.comments.models import CommentTag, Theme
from portal.consultations.models import Consultation, Question
from portal.consultations.question_types import ResultsKind, kind_of
from portal.csv_export import csv_text
from portal.extensions import db
from portal.reporting.filters import NO_FILTER, ResponseFilter
from portal.reporting.service import question_results
from portal.reporting.spreadsheets import Sheet
from portal.responses.models import Answer, Response
from portal.responses.service import UK, format_reference, utcnow
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
    columns = ["Reference", "Sent (UK time)", "How it arrived", "Link it came by"]
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
) -> Iterator[list[str]]:
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
                DistributionChannel.name,
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
            sent = row.submitted_at.replace(tzinfo=UTC).astimezone(UK)
            cells = [
                format_reference(row.reference),  # as the respondent was shown it
                sent.strftime("%Y-%m-%d %H:%M"),
                row.channel.value,
                row[4] or "",
            ]
            for question in questions:
                given = answers[row.id].get(question.id, [])
                cells += kind_of(question).export_cells(question, given)
                if _has_themes(question):
                    cells.append(themes.get((row.id, question.id), ""))
            yield cells
        last_id = ids[-1]  # plain rows, not ORM objects: the session keeps nothing of them


def stream_csv(consultation: Consultation, only: ResponseFilter = NO_FILTER) -> Iterator[str]:
    """The CSV text, a chunk of responses at a time; UTF-8 with a byte-order mark so that
    spreadsheets read accented names and curly quotes correctly."""
    return csv_text(header(consultation), rows(consultation, only=only))


def about_rows(consultation: Consultation, only: ResponseFilter, what: str) -> list[list[str]]:
    """The "About this export" sheet: what the file holds, and which responses."""
    exported = utcnow().replace(tzinfo=UTC).astimezone(UK)
    return [
        ["About this export", ""],
        ["Consultation", consultation.title],
        ["Contents", what],
        ["Responses included", only.describe()],
        ["Exported (UK time)", exported.strftime("%Y-%m-%d %H:%M")],
    ]


def summary_header() -> list[str]:
    return ["Question", "Statement", "Answer", "Count", "Percentage", "Base (people)"]


def summary_rows(consultation: Consultation, only: ResponseFilter = NO_FILTER) -> list[list[str]]:
    """Every choice question's counts, and each matrix statement's, as the results page shows
    them: one row per answer, percentages of the people who answered."""
    _, results = question_results(consultation, only)
    found: list[list[str]] = []
    for question in consultation.questions:
        result = results.get(question.id)
        if result is None:
            continue
        for option in result.options:
            found.append(
                _summary_row(
                    question.text,
                    "",
                    option.option.shown_label,
                    option.count,
                    option.percent,
                    result.answered,
                )
            )
        if question.other_label:
            found.append(
                _summary_row(
                    question.text,
                    "",
                    f"Other: {question.other_label}",
                    result.other_count,
                    result.other_percent,
                    result.answered,
                )
            )
        for statement in result.statements:
            for option in statement.options:
                found.append(
                    _summary_row(
                        question.text,
                        statement.statement.label,
                        option.option.shown_label,
                        option.count,
                        option.percent,
                        statement.answered,
                    )
                )
        if result.kind == ResultsKind.COMMENTS:
            found.append(
                _summary_row(
                    question.text, "", "Comments", result.comment_count, None, result.answered
                )
            )
    return found


def _summary_row(
    question: str, statement: str, answer: str, count: int, share: float | None, base: int
) -> list[str]:
    return [
        question,
        statement,
        answer,
        str(count),
        "" if share is None else f"{share:.1f}",
        str(base),
    ]


def stream_summary_csv(
    consultation: Consultation, only: ResponseFilter = NO_FILTER
) -> Iterator[str]:
    return csv_text(summary_header(), summary_rows(consultation, only))


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


def _with_header(head: list[str], body: Iterator[list[str]]) -> Iterator[list[str]]:
    yield head
    yield from body

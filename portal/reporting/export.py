"""Responses as a CSV file, one row per response and one column per question or option,
labels not ids. Streamed in chunks of responses, so 100,000 responses never sit in memory."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Iterator
from datetime import UTC
from typing import Any

import sqlalchemy as sa

from portal.consultations.models import Consultation
from portal.consultations.question_types import kind_of
from portal.extensions import db
from portal.reporting.filters import NO_FILTER, ResponseFilter
from portal.responses.models import Answer, Response
from portal.responses.service import UK
from portal.schools.models import DistributionChannel

CHUNK = 2000
ANSWER_FIELDS = ("option_id", "text", "number", "statement_id", "rank")
# A cell a spreadsheet would run as a formula (CSV injection): shown with a leading apostrophe,
# which spreadsheets hide, instead.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _safe(cell: str) -> str:
    return "'" + cell if cell.startswith(FORMULA_START) else cell


def header(consultation: Consultation) -> list[str]:
    columns = ["Reference", "Sent (UK time)", "How it arrived", "Link it came by"]
    for question in consultation.questions:
        columns += kind_of(question).export_columns(question)
    return columns


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
        for row in batch:
            sent = row.submitted_at.replace(tzinfo=UTC).astimezone(UK)
            cells = [
                row.reference,
                sent.strftime("%Y-%m-%d %H:%M"),
                row.channel.value,
                row[4] or "",
            ]
            for question in questions:
                given = answers[row.id].get(question.id, [])
                cells += kind_of(question).export_cells(question, given)
            yield [_safe(cell) for cell in cells]
        last_id = ids[-1]  # plain rows, not ORM objects: the session keeps nothing of them


def stream_csv(consultation: Consultation, only: ResponseFilter = NO_FILTER) -> Iterator[str]:
    """The CSV text, a chunk of responses at a time; UTF-8 with a byte-order mark so that
    spreadsheets read accented names and curly quotes correctly."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header(consultation))
    yield "\ufeff" + buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    for count, row in enumerate(rows(consultation, only=only), start=1):
        writer.writerow(row)
        if count % CHUNK == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()

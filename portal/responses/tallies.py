"""Running totals of responses and answers, kept in the same transaction as every change to a
response, so the unfiltered results, the dashboard and the timeline read a few hundred rows
instead of counting millions.

Rules held here:
- every submission adds, and every deletion or correction takes away, in the transaction that
  changes the response: a tally never disagrees with a fresh GROUP BY (tests/test_tallies.py
  checks that with hypothesis after any sequence of submissions, corrections and deletions);
- rows are always touched in key order, table by table, so concurrent submissions that
  increment the same tallies wait for each other and never deadlock;
- "no option" is stored as 0, not NULL, because NULLs never conflict in a unique key;
- every tally is split into SHARDS rows by response id: concurrent submissions then mostly
  increment different rows instead of queueing on one (unsharded, 8 clients submitting on
  PostgreSQL managed 134/s against 302/s without tallies); readers add the shards up.

`rebuild()` recounts everything from the answers: after a bulk load, a restore, or to check.
"""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Iterable
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from portal.extensions import db, insert_with_conflicts
from portal.responses.hours import hour_of, uk_day_part_of

ANSWER_KEY = ("question_id", "option_id", "statement_id", "rank", "shard")
SHARDS = 8


def _shard_column() -> sa.Column[int]:
    return sa.Column("shard", sa.SmallInteger, primary_key=True, server_default="0")


# One row per distinct answer: a question's option (or 0 for typed text, numbers and dates),
# matrix statement and rank.
answer_tally = sa.Table(
    "answer_tally",
    db.metadata,
    sa.Column("question_id", sa.ForeignKey("question.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("option_id", sa.Integer, primary_key=True),
    sa.Column("statement_id", sa.Integer, primary_key=True),
    sa.Column("rank", sa.Integer, primary_key=True),
    _shard_column(),
    sa.Column("count", sa.Integer, nullable=False),
)
# How many responses answered each question (several answer rows count once).
question_tally = sa.Table(
    "question_tally",
    db.metadata,
    sa.Column("question_id", sa.ForeignKey("question.id", ondelete="CASCADE"), primary_key=True),
    _shard_column(),
    sa.Column("respondents", sa.Integer, nullable=False),
)
# Responses per consultation and wording (snapshot): the total, and "answered earlier wording".
response_tally = sa.Table(
    "response_tally",
    db.metadata,
    sa.Column(
        "consultation_id", sa.ForeignKey("consultation.id", ondelete="CASCADE"), primary_key=True
    ),
    sa.Column(
        "snapshot_id",
        sa.ForeignKey("consultation_snapshot.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    _shard_column(),
    sa.Column("count", sa.Integer, nullable=False),
)
# Responses per UTC hour and channel, and how many of them came by a distribution link: the
# timeline folds these into UK days.
hourly_tally = sa.Table(
    "hourly_tally",
    db.metadata,
    sa.Column(
        "consultation_id", sa.ForeignKey("consultation.id", ondelete="CASCADE"), primary_key=True
    ),
    sa.Column("hour", sa.DateTime, primary_key=True),
    sa.Column("channel", sa.String(10), primary_key=True),
    _shard_column(),
    sa.Column("count", sa.Integer, nullable=False),
    sa.Column("linked", sa.Integer, nullable=False),
)


def hour_start(moment: datetime) -> datetime:
    return moment.replace(minute=0, second=0, microsecond=0)


@functools.cache
def _upsert_statement(table: sa.Table, dialect_name: str) -> Any:
    """INSERT ... ON CONFLICT adding the counts, built once per table and database."""
    keys = [column.name for column in table.primary_key.columns]
    insert = insert_with_conflicts(table, dialect_name)
    return insert.on_conflict_do_update(
        index_elements=keys,
        set_={
            column.name: column + insert.excluded[column.name]
            for column in table.columns
            if column.name not in keys
        },
    )


def _upsert(table: sa.Table, rows: list[dict[str, Any]]) -> None:
    """Add each row's counts to its tally row, creating it when missing. Rows go in key order
    (see the module's rules)."""
    if not rows:
        return
    keys = tuple(column.name for column in table.primary_key.columns)
    rows = sorted(rows, key=lambda row: tuple(row[key] for key in keys))
    db.session.connection().execute(_upsert_statement(table, db.engine.dialect.name), rows)


def answers_by_key(
    answers: Iterable[dict[str, Any]],
) -> list[tuple[tuple[int, int, int, int], int]]:
    """(question, option, statement, rank) -> how many answer rows, in key order; 0 stands
    for "none"."""
    counted = Counter(
        (
            answer["question_id"],
            answer.get("option_id") or 0,
            answer.get("statement_id") or 0,
            answer.get("rank") or 0,
        )
        for answer in answers
    )
    return sorted(counted.items())


def questions_answered(answers: Iterable[dict[str, Any]]) -> list[int]:
    """The questions a response answered, each once (several answer rows count once)."""
    return sorted({answer["question_id"] for answer in answers})


def count_response(
    response_id: int,
    consultation_id: int,
    snapshot_id: int,
    submitted_at: datetime,
    channel: str,
    linked: bool,
    answers: Iterable[dict[str, Any]],
    sign: int = 1,
) -> None:
    """Add one response (sign 1) or take it away (sign -1), in the caller's transaction. A
    response always counts in the same shard, so taking it away undoes exactly its adding."""
    answers = list(answers)
    shard = response_id % SHARDS
    _upsert(
        answer_tally,
        [
            dict(zip(ANSWER_KEY, (*key, shard), strict=True), count=sign * n)
            for key, n in answers_by_key(answers)
        ],
    )
    answered = questions_answered(answers)
    _upsert(
        question_tally,
        [
            {"question_id": question_id, "shard": shard, "respondents": sign}
            for question_id in answered
        ],
    )
    _upsert(
        response_tally,
        [
            {
                "consultation_id": consultation_id,
                "snapshot_id": snapshot_id,
                "shard": shard,
                "count": sign,
            }
        ],
    )
    _upsert(
        hourly_tally,
        [
            {
                "consultation_id": consultation_id,
                "shard": shard,
                "hour": hour_start(submitted_at),
                "channel": str(channel),
                "count": sign,
                "linked": sign if linked else 0,
            }
        ],
    )
    if sign < 0:
        _drop_empty(consultation_id, answered)


def _drop_empty(consultation_id: int, question_ids: list[int]) -> None:
    """Tally rows counted down to nothing are removed, so the tallies hold exactly what a
    fresh count would find."""
    if question_ids:
        db.session.execute(
            sa.delete(answer_tally).where(
                answer_tally.c.question_id.in_(question_ids), answer_tally.c["count"] <= 0
            )
        )
        db.session.execute(
            sa.delete(question_tally).where(
                question_tally.c.question_id.in_(question_ids), question_tally.c.respondents <= 0
            )
        )
    for table in (response_tally, hourly_tally):
        db.session.execute(
            sa.delete(table).where(
                table.c.consultation_id == consultation_id, table.c["count"] <= 0
            )
        )


# -- reading ------------------------------------------------------------------------------------


def answer_counts(
    question_ids: list[int],
) -> dict[int, dict[tuple[int | None, int | None, int | None], int]]:
    """question -> (statement, option, rank) -> count, with None where nothing is held."""
    found: dict[int, dict[tuple[int | None, int | None, int | None], int]] = {}
    if not question_ids:
        return found
    t = answer_tally.c
    for question_id, option_id, statement_id, rank, count in db.session.execute(
        sa.select(t.question_id, t.option_id, t.statement_id, t.rank, sa.func.sum(t["count"]))
        .where(t.question_id.in_(question_ids))
        .group_by(t.question_id, t.option_id, t.statement_id, t.rank)
    ):
        found.setdefault(question_id, {})[
            (statement_id or None, option_id or None, rank or None)
        ] = count
    return found


def respondents(question_ids: list[int]) -> dict[int, int]:
    if not question_ids:
        return {}
    return dict(
        db.session.execute(
            sa.select(question_tally.c.question_id, sa.func.sum(question_tally.c.respondents))
            .where(question_tally.c.question_id.in_(question_ids))
            .group_by(question_tally.c.question_id)
        ).all()
    )


def responses_by_snapshot(consultation_id: int) -> dict[int, int]:
    return dict(
        db.session.execute(
            sa.select(response_tally.c.snapshot_id, sa.func.sum(response_tally.c["count"]))
            .where(response_tally.c.consultation_id == consultation_id)
            .group_by(response_tally.c.snapshot_id)
        ).all()
    )


def responses_by_consultation() -> dict[int, int]:
    return dict(
        db.session.execute(
            sa.select(
                response_tally.c.consultation_id, sa.func.sum(response_tally.c["count"])
            ).group_by(response_tally.c.consultation_id)
        ).all()
    )


def total_responses(consultation_id: int) -> int:
    return sum(responses_by_snapshot(consultation_id).values())


def day_parts(consultation_id: int) -> list[tuple[datetime, str, int, int]]:
    """(start of a part of a UTC day (hours.uk_day_part_of), channel, responses, of which
    through a link)."""
    part = uk_day_part_of(hourly_tally.c.hour)
    return [
        (start, channel, count, linked)
        for start, channel, count, linked in db.session.execute(
            sa.select(
                part,
                hourly_tally.c.channel,
                sa.func.sum(hourly_tally.c["count"]),
                sa.func.sum(hourly_tally.c.linked),
            )
            .where(hourly_tally.c.consultation_id == consultation_id)
            .group_by(part, hourly_tally.c.channel)
        )
    ]


# -- recounting ---------------------------------------------------------------------------------


def _fresh_queries() -> dict[sa.Table, sa.Select[Any]]:
    """Each tally as a fresh GROUP BY over the responses and answers, in the tally's column
    order."""
    from portal.responses.models import Answer, Response

    option = sa.func.coalesce(Answer.option_id, 0)
    statement = sa.func.coalesce(Answer.statement_id, 0)
    rank = sa.func.coalesce(Answer.rank, 0)
    hour = hour_of(Response.submitted_at)
    return {
        answer_tally: sa.select(
            Answer.question_id, option, statement, rank, sa.func.count()
        ).group_by(Answer.question_id, option, statement, rank),
        question_tally: sa.select(
            Answer.question_id, sa.func.count(sa.distinct(Answer.response_id))
        ).group_by(Answer.question_id),
        response_tally: sa.select(
            Response.consultation_id, Response.snapshot_id, sa.func.count()
        ).group_by(Response.consultation_id, Response.snapshot_id),
        hourly_tally: sa.select(
            Response.consultation_id,
            hour,
            Response.channel,
            sa.func.count(),
            sa.func.count(Response.distribution_channel_id),
        ).group_by(Response.consultation_id, hour, Response.channel),
    }


def fresh_counts() -> dict[str, set[tuple[Any, ...]]]:
    """What a recount would store: the tests compare the running tallies with it."""
    return {
        table.name: {tuple(row) for row in db.session.execute(query)}
        for table, query in _fresh_queries().items()
    }


def stored_counts() -> dict[str, set[tuple[Any, ...]]]:
    """The tallies with their shards added up, as a recount would store them."""
    found = {}
    for table in _fresh_queries():
        keys = [c for c in table.columns if c.primary_key and c.name != "shard"]
        values = [sa.func.sum(c) for c in table.columns if not c.primary_key]
        rows = db.session.execute(sa.select(*keys, *values).group_by(*keys))
        found[table.name] = {tuple(row) for row in rows if any(row[len(keys) :])}
    return found


def rebuild() -> dict[str, int]:
    """Recount every tally from the answers, in one transaction; returns rows per tally."""
    queries = _fresh_queries()
    for table, query in queries.items():
        db.session.execute(sa.delete(table))
        db.session.execute(
            sa.insert(table).from_select(
                [column.name for column in table.columns if column.name != "shard"], query
            )
        )
    db.session.commit()
    return {
        table.name: db.session.scalar(sa.select(sa.func.count()).select_from(table)) or 0
        for table in queries
    }

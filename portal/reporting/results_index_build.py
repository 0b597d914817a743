"""Building the results index (portal/reporting/results_index.py says what it is and how it
is read): `refresh` builds the ranges of response ids that are new, grown or stale, each in a
short transaction of its own; `mark_stale` runs on `responses.corrections.response_changed`,
which a correction or deletion sends in its own transaction (the domain does not call up here).

A range is built only below the highest response id every earlier id of which has committed
(`_settled_upto`), and a correction or deletion marks its range stale in its own transaction,
under the same per-consultation lock the builder holds while it builds one, so a built range
never misses or keeps a response.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import sqlalchemy as sa

from portal.clock import UK, utcnow
from portal.consultations.models import Consultation
from portal.extensions import db, insert_with_conflicts
from portal.reporting import results_index as index
from portal.reporting.filters import RespondentType, ResponseFilter
from portal.reporting.models import ResultsIndexChunk, ResultsIndexState
from portal.responses.corrections import response_changed
from portal.responses.hours import hour_of
from portal.responses.models import Answer, Response, ResponseChannel, response_group
from portal.schools.models import District

# How long a build waits for submissions in flight before leaving the work to the next run.
# New submissions queue behind the waiting build, so this is also the longest a resident's
# "Accept and send" can be held up by it; one statement of a submission takes milliseconds.
SETTLE_TIMEOUT = "200ms"


@dataclass(frozen=True)
class Refreshed:
    consultation_id: int
    ranges_built: int
    ranges_kept: int


def refresh(consultation_ids: Iterable[int] | None = None) -> list[Refreshed]:
    """Build every range that is missing, stale or has grown since it was built, each in its
    own short transaction. Safe to run while responses arrive and from several processes."""
    settled = _settled_upto()
    if settled is None:
        return []
    if consultation_ids is None:
        consultation_ids = db.session.scalars(
            sa.select(Consultation.id)
            .where(sa.exists().where(Response.consultation_id == Consultation.id))
            .order_by(Consultation.id)
        ).all()
    return [_refresh_consultation(cid, settled) for cid in consultation_ids]


def drop() -> None:
    """Forget every built range (their responses are counted by SQL until built again)."""
    db.session.execute(sa.delete(ResultsIndexChunk))
    db.session.commit()


def _settled_upto() -> int | None:
    """The highest response id at or below which no response can still arrive, or None when
    that cannot be known now (the index is then left as it is until the next run).

    PostgreSQL hands out ids when a submission starts and commits them in any order, so a
    share lock on the table waits for every submission in flight (each holds a row-exclusive
    lock until it commits); the highest id read after that has no missing predecessor still to
    come. The lock is held for one query. SQLite has one writer at a time and so no such gap.
    """
    highest = sa.select(sa.func.max(Response.id))
    if db.engine.dialect.name != "postgresql":
        value = db.session.scalar(highest)
        db.session.commit()
        return value
    try:
        db.session.execute(sa.text(f"SET LOCAL lock_timeout = '{SETTLE_TIMEOUT}'"))
        db.session.execute(sa.text("LOCK TABLE response IN SHARE MODE"))
        value = db.session.scalar(highest)
    except sa.exc.OperationalError:  # a long write holds the table: try on the next run
        db.session.rollback()
        return None
    db.session.commit()
    return value


def _refresh_consultation(consultation_id: int, settled: int) -> Refreshed:
    existing = {
        base: (end, stale)
        for base, end, stale in db.session.execute(
            sa.select(ResultsIndexChunk.base, ResultsIndexChunk.end, ResultsIndexChunk.stale).where(
                ResultsIndexChunk.consultation_id == consultation_id
            )
        )
    }
    lowest = (
        min(existing)
        if existing
        else db.session.scalar(
            sa.select(sa.func.min(Response.id)).where(Response.consultation_id == consultation_id)
        )
    )
    db.session.commit()
    built = kept = 0
    if lowest is None:
        return Refreshed(consultation_id, built, kept)
    for base in range(lowest - lowest % index.CHUNK, settled + 1, index.CHUNK):
        end = min(base + index.CHUNK, settled + 1)
        covered_to, stale = existing.get(base, (None, True))
        if (
            covered_to is not None
            and not stale
            and (covered_to >= end or _extend_unchanged(consultation_id, base, covered_to, end))
        ):
            kept += 1
            continue
        _build_range(consultation_id, base, end)
        built += 1
    return Refreshed(consultation_id, built, kept)


def _extend_unchanged(consultation_id: int, base: int, covered_to: int, end: int) -> bool:
    """Move a range's end on without rebuilding it when none of the ids it would gain is this
    consultation's (other consultations' responses took them): its bitmaps already hold all of
    its responses. Without this a quiet consultation's last range is rebuilt on every run."""
    _lock(consultation_id, bump=False)
    arrived = db.session.scalar(
        sa.select(Response.id)
        .where(
            Response.consultation_id == consultation_id,
            Response.id >= covered_to,
            Response.id < end,
        )
        .limit(1)
    )
    if arrived is not None:
        db.session.rollback()
        return False
    moved = db.session.execute(
        sa.update(ResultsIndexChunk)
        .where(
            ResultsIndexChunk.consultation_id == consultation_id,
            ResultsIndexChunk.base == base,
            ResultsIndexChunk.end == covered_to,
            ResultsIndexChunk.stale.is_(False),
        )
        .values(end=end)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return bool(getattr(moved, "rowcount", 0))


def _build_range(consultation_id: int, base: int, end: int) -> None:
    """One range, in one transaction holding the consultation's index lock."""
    _lock(consultation_id, bump=False)
    keys, blob = _pack(_range_bitmaps(consultation_id, base, end))
    db.session.execute(
        sa.delete(ResultsIndexChunk).where(
            ResultsIndexChunk.consultation_id == consultation_id, ResultsIndexChunk.base == base
        )
    )
    db.session.add(
        ResultsIndexChunk(
            consultation_id=consultation_id,
            base=base,
            end=end,
            stale=False,
            built_at=utcnow(),
            keys=keys,
            bitmaps=blob,
        )
    )
    db.session.commit()


def _lock(consultation_id: int, bump: bool) -> None:
    """Lock the consultation's index row, creating it if need be. Inserting waits for any
    other transaction inserting or changing the same row, so the lock holds from the first
    use."""
    table = ResultsIndexState.__table__
    insert = insert_with_conflicts(table)
    statement = insert.values(consultation_id=consultation_id, changes=1 if bump else 0)
    if bump:
        statement = statement.on_conflict_do_update(
            index_elements=[table.c.consultation_id], set_={"changes": table.c.changes + 1}
        )
        db.session.execute(statement)
        return
    db.session.execute(statement.on_conflict_do_nothing(index_elements=[table.c.consultation_id]))
    db.session.execute(
        sa.select(table.c.changes)
        .where(table.c.consultation_id == consultation_id)
        .with_for_update()
    )


def mark_stale(consultation_id: int, response_ids: Iterable[int]) -> None:
    """In the caller's transaction, which is changing or deleting these responses: their
    ranges are counted from the tables until they are built again."""
    bases = {response_id - response_id % index.CHUNK for response_id in response_ids}
    if not bases:
        return
    _lock(consultation_id, bump=True)
    db.session.execute(
        sa.update(ResultsIndexChunk)
        .where(
            ResultsIndexChunk.consultation_id == consultation_id,
            ResultsIndexChunk.base.in_(bases),
        )
        .values(stale=True)
        .execution_options(synchronize_session=False)
    )


def _on_response_changed(consultation_id: int, response_id: int) -> None:
    mark_stale(consultation_id, [response_id])


def follow_corrections() -> None:
    """Mark a range stale whenever a correction or erasure changes one of its responses
    (responses sit below reporting, so they signal instead of calling up). Connected by the
    app factory, so every process that can change a response follows them."""
    response_changed.connect(_on_response_changed)


def _offsets_of(column: Any) -> Any:
    """An aggregate of a group's offsets: an array on PostgreSQL, comma-separated on SQLite."""
    if db.engine.dialect.name == "postgresql":
        return sa.func.array_agg(column)
    return sa.func.group_concat(column)


def _offsets(value: Any) -> Iterable[int]:
    return map(int, value.split(",")) if isinstance(value, str) else value


def _range_bitmaps(consultation_id: int, base: int, end: int) -> dict[str, int]:
    in_range = (
        Response.consultation_id == consultation_id,
        Response.id >= base,
        Response.id < end,
    )
    found: dict[str, bytearray] = {}

    def mark(key: str, offsets: Iterable[int]) -> None:
        bits = found.setdefault(key, bytearray((index.CHUNK + 7) // 8))
        for n in offsets:
            bits[n >> 3] |= 1 << (n & 7)

    # What each response is: its channel, link, UK day and language, read row by row (a
    # range's worth). The language as stored, as ResponseFilter.conditions compares it.
    uk_days: dict[datetime, date] = {}
    for n, channel, link_id, hour, language in db.session.execute(
        sa.select(
            Response.id - base,
            Response.channel,
            Response.distribution_channel_id,
            hour_of(Response.submitted_at),
            Response.language,
        ).where(*in_range)
    ):
        day = uk_days.get(hour)
        if day is None:
            day = uk_days[hour] = hour.replace(tzinfo=UTC).astimezone(UK).date()
        keys = [
            index.ALL,
            f"channel:{ResponseChannel(channel).value}",
            f"day:{day.isoformat()}",
            f"{index.LANGUAGE_TRAIT}{language}",
        ]
        if link_id is not None:
            keys += [index.LINKED, f"link:{link_id}"]
        for key in keys:
            mark(key, (n,))
    # Districts and respondent types by the filter's own conditions, so the index can never
    # mean something different from the SQL that counts the ranges it does not cover.
    traits: list[tuple[str, ResponseFilter]] = [
        (f"district:{district.value}", ResponseFilter(districts=(district,)))
        for district in District
    ] + [(f"type:{kind.value}", ResponseFilter(types=(kind,))) for kind in RespondentType]
    for key, single in traits:
        offsets = sa.select(Response.id - base).where(*in_range, *single.conditions())
        mark(key, db.session.scalars(offsets))
    group = response_group.c
    for group_id, offsets in db.session.execute(
        sa.select(group.group_id, _offsets_of(group.response_id - base))
        .join(Response, Response.id == group.response_id)
        .where(*in_range)
        .group_by(group.group_id)
    ):
        mark(f"group:{group_id}", _offsets(offsets))
    for question_id, statement_id, option_id, rank, offsets in db.session.execute(
        sa.select(
            Answer.question_id,
            Answer.statement_id,
            Answer.option_id,
            Answer.rank,
            _offsets_of(Answer.response_id - base),
        )
        .where(
            Answer.response_id >= base,
            Answer.response_id < end,
            Answer.response_id.in_(sa.select(Response.id).where(*in_range)),
        )
        .group_by(Answer.question_id, Answer.statement_id, Answer.option_id, Answer.rank)
    ):
        positions = list(_offsets(offsets))
        mark(index.answer_key(question_id, statement_id, option_id, rank), positions)
        mark(f"q:{question_id}", positions)
    bitmaps = {key: int.from_bytes(bits, "little") for key, bits in found.items()}
    return {key: bits for key, bits in bitmaps.items() if bits}


def _pack(bitmaps: dict[str, int]) -> tuple[list[list[Any]], bytes]:
    keys, parts = [], []
    for key, bits in sorted(bitmaps.items()):
        data = bits.to_bytes((bits.bit_length() + 7) // 8, "little")
        keys.append([key, len(data)])
        parts.append(data)
    return keys, b"".join(parts)

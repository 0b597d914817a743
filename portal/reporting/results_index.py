"""The results index: a filtered results page counted from bitmaps, not from millions of rows.

Running tallies (portal/responses/tallies.py) answer the unfiltered page, but a filter ("parents
in Rugby whose child was bullied online") can pick any set of responses, and counting a quarter
of a million responses' answers with GROUP BY took 10 to 40 seconds at a million responses.

So response ids are cut into ranges of `CHUNK`, and for each range of a consultation the index
keeps one bitmap per answer (bit n set: response base + n gave it) and per trait a filter can ask
for (district, link, panel group, respondent type, channel, UK day). A filter is then an AND of
ORs of bitmaps, and each figure a population count of the filter ANDed with an answer's bitmap:
a few thousand operations on 2 KB integers in place of a join over millions of rows.

The index is built after the fact (`flask results index`, every minute by a timer; see
docs/operations.md), never by a resident's submission, so sending a response costs nothing more.
Whatever it does not cover, the newest responses and any range marked stale, is counted by SQL
with the same filter kept to those ids, and the two parts added: a figure is the same whether
the index was built a second ago, an hour ago, or never (tests/test_results_index.py).

A range is built only below the highest response id every earlier id of which has committed
(`_settled_upto`), and corrections and deletions mark their range stale in their own
transaction, under the same per-consultation lock the builder holds while it builds one, so a
built range never misses or keeps a response.
"""

from __future__ import annotations

import threading
from collections import OrderedDict, defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from portal.extensions import db
from portal.reporting.filters import RespondentType, ResponseFilter
from portal.reporting.models import ResultsIndexChunk, ResultsIndexState
from portal.responses import tallies
from portal.responses.models import Answer, Response, ResponseChannel, response_group
from portal.responses.service import UK, uk_midnight_in_utc, utcnow
from portal.schools.models import District

CHUNK = 1 << 14  # response ids per range: bitmaps of at most 2 KB
ALL = "all"  # the consultation's responses in the range
LINKED = "linked"  # those that came through any distribution link

# (statement, option, rank) of an answer row, as the results service keys its counts.
AnswerShape = tuple[int | None, int | None, int | None]


def answer_key(question_id: int, statement_id: Any, option_id: Any, rank: Any) -> str:
    parts = (statement_id, option_id, rank)
    return f"a:{question_id}:" + ":".join("" if part is None else str(part) for part in parts)


def _parse_answer_key(key: str) -> tuple[int, AnswerShape]:
    question, *parts = key[2:].split(":")
    statement, option, rank = (int(part) if part else None for part in parts)
    return int(question), (statement, option, rank)


# -- building -----------------------------------------------------------------------------------


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
            sa.select(Response.consultation_id).distinct().order_by(Response.consultation_id)
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
        db.session.execute(sa.text("SET LOCAL lock_timeout = '5s'"))
        db.session.execute(sa.text("LOCK TABLE response IN SHARE MODE"))
        value = db.session.scalar(highest)
    except sa.exc.OperationalError:  # a long import holds the table: try on the next run
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
    for base in range(lowest - lowest % CHUNK, settled + 1, CHUNK):
        end = min(base + CHUNK, settled + 1)
        have = existing.get(base)
        if have is not None and not have[1] and have[0] >= end:
            kept += 1
            continue
        _build_range(consultation_id, base, end)
        built += 1
    return Refreshed(consultation_id, built, kept)


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
    insert = (postgresql if db.engine.dialect.name == "postgresql" else sqlite).insert(table)
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
    bases = {response_id - response_id % CHUNK for response_id in response_ids}
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
        bits = found.setdefault(key, bytearray((CHUNK + 7) // 8))
        for n in offsets:
            bits[n >> 3] |= 1 << (n & 7)

    # What each response is: its channel, link and UK day, read row by row (at most CHUNK).
    uk_days: dict[datetime, date] = {}
    for n, channel, link_id, hour in db.session.execute(
        sa.select(
            Response.id - base,
            Response.channel,
            Response.distribution_channel_id,
            tallies.hour_of(Response.submitted_at),
        ).where(*in_range)
    ):
        day = uk_days.get(hour)
        if day is None:
            day = uk_days[hour] = hour.replace(tzinfo=UTC).astimezone(UK).date()
        keys = [ALL, f"channel:{ResponseChannel(channel).value}", f"day:{day.isoformat()}"]
        if link_id is not None:
            keys += [LINKED, f"link:{link_id}"]
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
        mark(answer_key(question_id, statement_id, option_id, rank), positions)
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


# -- reading ------------------------------------------------------------------------------------


@dataclass
class IndexedRange:
    """One built range, its bitmaps as Python integers (bit n: response base + n)."""

    base: int
    end: int
    bitmaps: dict[str, int]
    answers: list[tuple[int, AnswerShape, int]] = field(default_factory=list)
    answered: dict[int, int] = field(default_factory=dict)
    days: dict[date, int] = field(default_factory=dict)

    @classmethod
    def unpack(cls, base: int, end: int, keys: list[list[Any]], blob: bytes) -> IndexedRange:
        bitmaps, at = {}, 0
        for key, length in keys:
            bitmaps[key] = int.from_bytes(blob[at : at + length], "little")
            at += length
        found = cls(base, end, bitmaps)
        for key, bits in bitmaps.items():
            if key.startswith("a:"):
                question_id, shape = _parse_answer_key(key)
                found.answers.append((question_id, shape, bits))
            elif key.startswith("q:"):
                found.answered[int(key[2:])] = bits
            elif key.startswith("day:"):
                found.days[date.fromisoformat(key[4:])] = bits
        return found

    def any_of(self, keys: Iterable[str]) -> int:
        bits = 0
        for key in keys:
            bits |= self.bitmaps.get(key, 0)
        return bits

    def matching(self, only: ResponseFilter) -> int:
        """The filter as a bitmap: within a kind any value, across kinds every kind."""
        bits = self.bitmaps.get(ALL, 0)
        if only.districts:
            bits &= self.any_of(f"district:{d.value}" for d in only.districts)
        if only.links:
            bits &= self.any_of(f"link:{link.id}" for link in only.links)
        if only.groups:
            bits &= self.any_of(f"group:{group.id}" for group in only.groups)
        if only.types:
            bits &= self.any_of(f"type:{kind.value}" for kind in only.types)
        if only.submitted_from or only.submitted_to:
            low, high = only.submitted_from or date.min, only.submitted_to or date.max
            days = 0
            for day, day_bits in self.days.items():
                if low <= day <= high:
                    days |= day_bits
            bits &= days
        by_question: dict[int, list[int]] = defaultdict(list)
        for chosen in only.answers:
            by_question[chosen.question.id].append(chosen.option.id)
        for question_id, option_ids in by_question.items():
            bits &= self.any_of(answer_key(question_id, None, o, None) for o in option_ids)
        return bits


class _RangeCache:
    """Built ranges never change (a rebuild is a new row), so each process keeps the ones it
    has read, by row id and build time, up to a budget of bytes, least recently used out."""

    def __init__(self, budget: int) -> None:
        self.budget = budget
        self.used = 0
        self.ranges: OrderedDict[tuple[int, datetime], tuple[IndexedRange, int]] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: tuple[int, datetime]) -> IndexedRange | None:
        with self.lock:
            found = self.ranges.get(key)
            if found is None:
                return None
            self.ranges.move_to_end(key)
            return found[0]

    def put(self, key: tuple[int, datetime], indexed: IndexedRange, size: int) -> None:
        with self.lock:
            if key in self.ranges:
                return
            self.ranges[key] = (indexed, size)
            self.used += size
            while self.used > self.budget and len(self.ranges) > 1:
                _, (_, dropped) = self.ranges.popitem(last=False)
                self.used -= dropped


_CACHE = _RangeCache(budget=256 * 1024 * 1024)


@dataclass
class Matched:
    """A filter's responses: per built range its bitmap, and the same filter kept to the ids
    no built range covers, for SQL to count."""

    consultation_id: int
    ranges: list[tuple[IndexedRange, int]]
    rest: ResponseFilter

    def total(self) -> int:
        return sum(bits.bit_count() for _, bits in self.ranges)

    def answer_counts(self) -> tuple[dict[int, dict[AnswerShape, int]], dict[int, int]]:
        """Per question, per (statement, option, rank), how many matching responses gave it;
        and per question how many answered it at all."""
        counts: dict[int, dict[AnswerShape, int]] = defaultdict(lambda: defaultdict(int))
        answered: dict[int, int] = defaultdict(int)
        for indexed, bits in self.ranges:
            for question_id, shape, answer_bits in indexed.answers:
                count = (bits & answer_bits).bit_count()
                if count:
                    counts[question_id][shape] += count
            for question_id, answered_bits in indexed.answered.items():
                answered[question_id] += (bits & answered_bits).bit_count()
        return {q: dict(found) for q, found in counts.items()}, dict(answered)

    def count_of(self, keys: Iterable[str]) -> int:
        """Matching responses with every one of these keys."""
        wanted = list(keys)
        total = 0
        for indexed, bits in self.ranges:
            for key in wanted:
                bits &= indexed.bitmaps.get(key, 0)
            total += bits.bit_count()
        return total

    def hourly_rows(self) -> Iterator[tuple[datetime, str, int, int]]:
        """Rows in the shape of the hourly tallies (UTC hour, channel, responses, of which
        through a link), each day's figures at the UTC hour its UK day starts."""
        for indexed, bits in self.ranges:
            linked = indexed.bitmaps.get(LINKED, 0)
            for day, day_bits in indexed.days.items():
                on_day = bits & day_bits
                if not on_day:
                    continue
                for channel in ResponseChannel:
                    by_channel = on_day & indexed.bitmaps.get(f"channel:{channel.value}", 0)
                    if by_channel:
                        yield (
                            uk_midnight_in_utc(day),
                            channel.value,
                            by_channel.bit_count(),
                            (by_channel & linked).bit_count(),
                        )

    def members(self, response_ids: Iterable[int]) -> set[int]:
        """Which of these response ids the filter matches: by bit where a built range covers
        them, by the filter's SQL for the rest."""
        by_base = {indexed.base: (indexed, bits) for indexed, bits in self.ranges}
        found: set[int] = set()
        unknown: list[int] = []
        for response_id in response_ids:
            base = response_id - response_id % CHUNK
            entry = by_base.get(base)
            if entry is not None and response_id < entry[0].end:
                if entry[1] >> (response_id - base) & 1:
                    found.add(response_id)
            else:
                unknown.append(response_id)
        full = replace(self.rest, within=None)
        for start in range(0, len(unknown), 500):
            found.update(
                db.session.scalars(
                    sa.select(Response.id).where(
                        Response.id.in_(unknown[start : start + 500]),
                        Response.consultation_id == self.consultation_id,
                        *full.conditions(),
                    )
                )
            )
        return found


def match(consultation_id: int, only: ResponseFilter) -> Matched:
    """The built ranges' bitmaps for `only`, and `only` kept to what they do not cover."""
    rows = db.session.execute(
        sa.select(
            ResultsIndexChunk.id,
            ResultsIndexChunk.built_at,
            ResultsIndexChunk.base,
            ResultsIndexChunk.end,
        )
        .where(
            ResultsIndexChunk.consultation_id == consultation_id,
            ResultsIndexChunk.stale.is_(False),
        )
        .order_by(ResultsIndexChunk.base)
    ).all()
    ranges = _read_ranges(rows)
    within: list[tuple[int | None, int | None]] = []
    covered_to: int | None = None
    for indexed in ranges:
        if covered_to is None or indexed.base > covered_to:
            within.append((covered_to, indexed.base))
        covered_to = indexed.end
    within.append((covered_to, None))
    matched = [(indexed, indexed.matching(only)) for indexed in ranges]
    return Matched(
        consultation_id,
        [(indexed, bits) for indexed, bits in matched if bits],
        replace(only, within=tuple(within) if ranges else None),
    )


def _read_ranges(rows: Sequence[Any]) -> list[IndexedRange]:
    found: dict[int, IndexedRange] = {}
    missing = []
    for row in rows:
        cached = _CACHE.get((row.id, row.built_at))
        if cached is None:
            missing.append(row.id)
        else:
            found[row.id] = cached
    for start in range(0, len(missing), 50):
        for chunk in db.session.execute(
            sa.select(
                ResultsIndexChunk.id,
                ResultsIndexChunk.built_at,
                ResultsIndexChunk.base,
                ResultsIndexChunk.end,
                ResultsIndexChunk.keys,
                ResultsIndexChunk.bitmaps,
            ).where(ResultsIndexChunk.id.in_(missing[start : start + 50]))
        ):
            indexed = IndexedRange.unpack(chunk.base, chunk.end, chunk.keys, chunk.bitmaps)
            _CACHE.put((chunk.id, chunk.built_at), indexed, len(chunk.bitmaps))
            found[chunk.id] = indexed
    return [found[row.id] for row in rows]

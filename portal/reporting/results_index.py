"""The results index: a filtered results page counted from bitmaps, not from millions of rows.

Running tallies (portal/responses/tallies.py) answer the unfiltered page, but a filter ("parents
in Rugby whose child was bullied online") can pick any set of responses, and counting a quarter
of a million responses' answers with GROUP BY took 10 to 40 seconds at a million responses.

So response ids are cut into ranges of `CHUNK`, and for each range of a consultation the index
keeps one bitmap per answer (bit n set: response base + n gave it) and per trait a filter can ask
for (district, link, panel group, respondent type, channel, UK day, language). A filter is then
an AND of ORs of bitmaps, and each figure a population count of the filter ANDed with an
answer's bitmap: a few thousand operations on 2 KB integers in place of a join over millions
of rows.

The index is built after the fact (`flask responses index`, every minute by a timer; see
docs/operations.md and results_index_build.py), never by a resident's submission, so sending a
response costs nothing more. Whatever it does not cover, the newest responses and any range
marked stale, is counted by SQL with the same filter kept to those ids, and the two parts
added: a figure is the same whether the index was built a second ago, an hour ago, or never
(tests/test_results_index.py).

Why it stays (issue 28, measured at county scale): 10,000 bullying responses, a filtered page's
question results and timeline in one process, index built against dropped, medians of 9
(lowest beside), on a loaded 2-core machine: SQLite, "answered X" 290 ms (160) with it against
548 ms (344) without, "sent since 2000" 173 (144) against 689 (428), respondent type 405 (304)
against 984 (612); PostgreSQL 254 (210) against 222 (165), 135 (64) against 366 (287), 98 (63)
against 470 (396); the second pass of each gave the same order. It moves the filtered results
figure by far more than a fifth on both databases except PostgreSQL's "answered X". Bitmaps
are Python integers; pyroaring was not tried (not installed, and the packing is 30 lines).
"""

from __future__ import annotations

import threading
from collections import OrderedDict, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa

from portal.clock import uk_midnight_in_utc
from portal.extensions import db
from portal.reporting.filters import ResponseFilter
from portal.reporting.models import ResultsIndexChunk
from portal.responses.models import Response, ResponseChannel

CHUNK = 1 << 14  # response ids per range: bitmaps of at most 2 KB
ALL = "all"  # the consultation's responses in the range
LINKED = "linked"  # those that came through any distribution link
LANGUAGE_TRAIT = "language:"  # + a language's code: the responses given in it (issue 29)

# (statement, option, rank) of an answer row, as the results service keys its counts.
AnswerShape = tuple[int | None, int | None, int | None]


def answer_key(question_id: int, statement_id: Any, option_id: Any, rank: Any) -> str:
    parts = (statement_id, option_id, rank)
    return f"a:{question_id}:" + ":".join("" if part is None else str(part) for part in parts)


def _parse_answer_key(key: str) -> tuple[int, AnswerShape]:
    question, *parts = key[2:].split(":")
    statement, option, rank = (int(part) if part else None for part in parts)
    return int(question), (statement, option, rank)


@dataclass
class IndexedRange:
    """One built range, its bitmaps as Python integers (bit n: response base + n)."""

    base: int
    end: int
    bitmaps: dict[str, int]
    answers: list[tuple[int, AnswerShape, int]] = field(default_factory=list)
    answered: dict[int, int] = field(default_factory=dict)
    days: dict[date, int] = field(default_factory=dict)
    languages: dict[str, int] = field(default_factory=dict)

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
            elif key.startswith(LANGUAGE_TRAIT):
                found.languages[key[len(LANGUAGE_TRAIT) :]] = bits
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
        if only.languages:
            bits &= self.any_of(f"{LANGUAGE_TRAIT}{code}" for code in only.languages)
        if only.submitted_from or only.submitted_to:
            low, high = only.submitted_from or date.min, only.submitted_to or date.max
            days = 0
            for day, day_bits in self.days.items():
                if low <= day <= high:
                    days |= day_bits
            bits &= days
        # As in ResponseFilter.conditions: the district given and the other answers are two
        # kinds, each an OR within a question.
        for chosen_answers in (only.given_districts, only.answers):
            by_question: dict[int, list[int]] = defaultdict(list)
            for chosen in chosen_answers:
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

    def hourly_rows(self) -> list[tuple[datetime, str, int, int]]:
        """Rows in the shape of the hourly tallies (UTC hour, channel, responses, of which
        through a link), each day's figures at the UTC hour its UK day starts."""
        found: dict[tuple[date, str], list[int]] = defaultdict(lambda: [0, 0])
        for indexed, bits in self.ranges:
            linked = indexed.bitmaps.get(LINKED, 0)
            channels = [
                (channel.value, indexed.bitmaps.get(f"channel:{channel.value}", 0))
                for channel in ResponseChannel
            ]
            for day, day_bits in indexed.days.items():
                on_day = bits & day_bits
                if not on_day:
                    continue
                for channel, channel_bits in channels:
                    by_channel = on_day & channel_bits
                    if by_channel:
                        counts = found[day, channel]
                        counts[0] += by_channel.bit_count()
                        counts[1] += (by_channel & linked).bit_count()
        return [
            (uk_midnight_in_utc(day), channel, count, through_links)
            for (day, channel), (count, through_links) in found.items()
        ]

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
    """The built ranges' bitmaps for `only`, and `only` kept to what they do not cover. Read
    through reporting.response_set.ResponseSet, which matches once per page."""
    if only.deciles:
        # The index holds no areas (a decile comes from a lookup loaded at any time), so a
        # filter by decile is counted by SQL alone.
        return Matched(consultation_id, [], only)
    ranges, within = _covered(consultation_id)
    matched = [(indexed, indexed.matching(only)) for indexed in ranges]
    return Matched(
        consultation_id,
        [(indexed, bits) for indexed, bits in matched if bits],
        replace(only, within=within),
    )


def languages_answered(consultation_id: int) -> set[str]:
    """The codes of the languages the consultation's responses were given in: from the
    built ranges' language bitmaps, and by SQL for the responses they do not cover."""
    ranges, within = _covered(consultation_id)
    found = {code for indexed in ranges for code, bits in indexed.languages.items() if bits}
    rest = ResponseFilter(within=within)
    found.update(
        db.session.scalars(
            sa.select(Response.language)
            .where(Response.consultation_id == consultation_id, *rest.conditions())
            .distinct()
        )
    )
    return found


def _covered(
    consultation_id: int,
) -> tuple[list[IndexedRange], tuple[tuple[int | None, int | None], ...] | None]:
    """The consultation's built ranges that can be read, and the ranges of response ids they
    leave to SQL (None: every id, when none is built)."""
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
    if not ranges:
        return [], None
    within: list[tuple[int | None, int | None]] = []
    covered_to: int | None = None
    for indexed in ranges:
        # A gap before this range (response ids start at 1, so none below the first base).
        if indexed.base > (1 if covered_to is None else covered_to):
            within.append((covered_to, indexed.base))
        covered_to = indexed.end
    within.append((covered_to, None))
    return ranges, tuple(within)


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

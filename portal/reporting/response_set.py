"""One consultation's responses as a filter picks them, and every count results need of them.

Pages and exports ask a `ResponseSet` (how many, each answer's count, the days they came in,
which of these responses it holds) and never choose how it is counted. It takes one of three
paths, and may add two of them:
- no filter: the running tallies (portal/responses/tallies.py), kept in step with every
  submission, so a few hundred rows are read however many responses there are;
- a filter: the results index's bitmaps (results_index.py) for the ranges of response ids it
  has built, and GROUP BY over the rest (the newest responses, stale ranges), kept to those ids;
- a filter the index cannot read (deprivation deciles): GROUP BY alone.

The filter is matched against the index once per set, and each figure is counted once per set,
so one page made of several parts (question results, comments, themes) pays for
one match: matching every range took 16-26 ms at 1,000,000 responses (bench/results.md).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime
from functools import cached_property
from typing import Any

import sqlalchemy as sa

from portal.consultations.models import ConsultationSnapshot
from portal.extensions import db
from portal.reporting import results_index
from portal.reporting.filters import NO_FILTER, ResponseFilter
from portal.responses import tallies
from portal.responses.hours import uk_day_part_of
from portal.responses.models import Answer, Response

# question -> (statement, option, rank) -> count
AnswerCounts = dict[int, dict[tuple[int | None, int | None, int | None], int]]


class ResponseSet:
    """The responses of consultation `consultation_id` that `only` matches (all without one)."""

    def __init__(self, consultation_id: int, only: ResponseFilter = NO_FILTER) -> None:
        self.consultation_id = consultation_id
        self.only = only
        # (questions, several_rows, detailed) -> their counts: a question's respondents are
        # counted differently with several_rows, so a call without it never answers one with.
        self._answers: dict[
            tuple[tuple[int, ...], tuple[int, ...], tuple[int, ...]],
            tuple[AnswerCounts, dict[int, int]],
        ] = {}
        self._snapshots: dict[int, ConsultationSnapshot] = {}

    @classmethod
    def of(cls, consultation_id: int, only: ResponseFilter | ResponseSet) -> ResponseSet:
        """`only` itself when it is already a set (one page's parts share its counts)."""
        if isinstance(only, ResponseSet):
            if only.consultation_id != consultation_id:
                raise ValueError(
                    f"a set of consultation {only.consultation_id}'s responses asked for "
                    f"consultation {consultation_id}'s"
                )
            return only
        return cls(consultation_id, only)

    @property
    def filtered(self) -> bool:
        return self.only.active

    @cached_property
    def matched(self) -> results_index.Matched:
        """The index's bitmaps for the filter, and the filter kept to what they do not cover
        (`rest`, for SQL). Read only by what the tallies cannot answer unfiltered (cross-tabs,
        filtered comments), and then once."""
        return results_index.match(self.consultation_id, self.only)

    @property
    def rest(self) -> ResponseFilter:
        """The filter as SQL conditions, kept to the responses no built range covers."""
        return self.matched.rest

    def answer_conditions(self, response_id: Any = Answer.response_id) -> list[Any]:
        """Conditions keeping answer rows to the matching responses (none without a filter)."""
        return self.only.answer_conditions(self.consultation_id, response_id)

    @cached_property
    def total(self) -> int:
        if not self.filtered:
            return sum(self.by_snapshot.values())
        return self.matched.total() + (
            db.session.scalar(
                sa.select(sa.func.count(Response.id)).where(
                    Response.consultation_id == self.consultation_id, *self.rest.conditions()
                )
            )
            or 0
        )

    @cached_property
    def everyone_by_snapshot(self) -> dict[int, int]:
        """How many of all the consultation's responses, whatever this set's filter, answered
        each snapshot (version) of its wording: what earlier wordings are counted by."""
        return tallies.responses_by_snapshot(self.consultation_id)

    def snapshots(self, snapshot_ids: Iterable[int]) -> list[ConsultationSnapshot]:
        """The snapshots of these ids, each read once for the set (a results page's earlier
        wordings and its routing both read them)."""
        wanted = list(snapshot_ids)
        missing = [i for i in wanted if i not in self._snapshots]
        if missing:
            for snapshot in db.session.scalars(
                sa.select(ConsultationSnapshot).where(ConsultationSnapshot.id.in_(missing))
            ):
                self._snapshots[snapshot.id] = snapshot
        # In id order, the order the wordings were written in.
        return [self._snapshots[i] for i in sorted(wanted) if i in self._snapshots]

    @cached_property
    def by_snapshot(self) -> dict[int, int]:
        """How many of them answered each snapshot (version) of the consultation's wording."""
        everyone = self.everyone_by_snapshot
        if not self.filtered:
            return everyone
        if len(everyone) == 1:
            # All answered one version (as is usual): the filtered ones did too.
            return {snapshot_id: self.total for snapshot_id in everyone if self.total}
        return dict(
            db.session.execute(
                sa.select(Response.snapshot_id, sa.func.count())
                .where(Response.consultation_id == self.consultation_id, *self.only.conditions())
                .group_by(Response.snapshot_id)
            ).all()
        )

    def answer_counts(
        self,
        question_ids: list[int],
        several_rows: Iterable[int] = (),
        detailed: Iterable[int] = (),
    ) -> tuple[AnswerCounts, dict[int, int]]:
        """Per question, per (statement, option, rank), how many matching responses gave it,
        and per question how many answered it. `several_rows`: questions storing several rows
        per response (their respondents need a distinct count); `detailed`: rankings and
        matrices, whose statement and rank are counted too."""
        several_rows, detailed = set(several_rows), set(detailed)
        key = (tuple(sorted(question_ids)), tuple(sorted(several_rows)), tuple(sorted(detailed)))
        if key in self._answers:
            return self._answers[key]
        counts: AnswerCounts = defaultdict(dict)
        answered: dict[int, int]
        if not self.filtered:
            counts.update(tallies.answer_counts(question_ids))
            answered = tallies.respondents(question_ids)
        else:
            indexed, answered = self.matched.answer_counts()
            counts.update(indexed)
            more, more_answered = self._counted_by_sql(question_ids, several_rows, detailed)
            for question_id, found in more.items():
                into = counts.setdefault(question_id, {})
                for shape, count in found.items():
                    into[shape] = into.get(shape, 0) + count
            for question_id, count in more_answered.items():
                answered[question_id] = answered.get(question_id, 0) + count
        self._answers[key] = (counts, answered)
        return counts, answered

    def _counted_by_sql(
        self, question_ids: list[int], several: set[int], detailed: set[int]
    ) -> tuple[AnswerCounts, dict[int, int]]:
        """GROUP BY over the answers of the matching responses no built range covers. Most
        questions need only option counts, which the (question_id, option_id) index serves;
        rankings and matrices also need the statement and rank, counted apart so the common
        query keeps that index."""
        scope = self.rest.answer_conditions(self.consultation_id)
        # The answers of the few responses left to SQL, read by response id (filters.py).
        asked_about = self.rest.question_column(Answer.question_id)
        counts: AnswerCounts = defaultdict(dict)
        plain = [q for q in question_ids if q not in detailed]
        for question_id, option_id, count in db.session.execute(
            # count(*), not count(id): the covering index then answers without the table.
            sa.select(Answer.question_id, Answer.option_id, sa.func.count())
            .where(asked_about.in_(plain), *scope)
            .group_by(Answer.question_id, Answer.option_id)
        ):
            counts[question_id][(None, option_id, None)] = count
        if detailed:
            for question_id, statement_id, option_id, rank, count in db.session.execute(
                sa.select(
                    Answer.question_id,
                    Answer.statement_id,
                    Answer.option_id,
                    Answer.rank,
                    sa.func.count(),
                )
                .where(asked_about.in_(list(detailed)), *scope)
                .group_by(Answer.question_id, Answer.statement_id, Answer.option_id, Answer.rank)
            ):
                counts[question_id][(statement_id, option_id, rank)] = count
        # One row per answering response for every type but the multi-row ones.
        answered = {question_id: sum(found.values()) for question_id, found in counts.items()}
        answered.update(self._respondents([q for q in question_ids if q in several]))
        return counts, answered

    def _respondents(self, several: list[int]) -> dict[int, int]:
        """How many of the matching responses no range covers answered each multi-row
        question: one probe of the (response, question) index per response, where a distinct
        count would sort every answer row."""
        if not several:
            return {}
        answered = [
            sa.func.sum(
                sa.case(
                    (
                        sa.exists().where(
                            Answer.response_id == Response.id, Answer.question_id == question_id
                        ),
                        1,
                    ),
                    else_=0,
                )
            )
            for question_id in several
        ]
        row = db.session.execute(
            sa.select(*answered).where(
                Response.consultation_id == self.consultation_id, *self.rest.conditions()
            )
        ).one()
        return {q: int(n or 0) for q, n in zip(several, row, strict=True)}

    def day_parts(self) -> list[tuple[datetime, str, int, int]]:
        """(UTC moment, channel, responses, of which through a link) rows, each moment's
        responses all on its UK day: parts of UTC days (hours.uk_day_part_of) from the
        hourly tallies, or the index's days and GROUP BY by part for the rest."""
        if not self.filtered:
            return tallies.day_parts(self.consultation_id)
        rows = self.matched.hourly_rows()
        part = uk_day_part_of(Response.submitted_at)
        rows += db.session.execute(
            sa.select(
                part,
                Response.channel,
                sa.func.count(Response.id),
                sa.func.count(Response.distribution_channel_id),
            )
            .where(Response.consultation_id == self.consultation_id, *self.rest.conditions())
            .group_by(part, Response.channel)
        ).all()
        return rows

    def count_of_answer(self, question_id: int, option_id: int | None = None) -> int:
        """How many matching responses gave this answer (option None: a typed answer), from
        the page's counts when they include the question."""
        return self._counted([question_id]).get(question_id, {}).get((None, option_id, None), 0)

    def option_counts(self, question_ids: list[int]) -> dict[int, dict[int, int]]:
        """Per question, per option, how many answer rows of the matching responses chose it,
        whatever their statement or rank: the page's counts when they include the questions."""
        found: dict[int, dict[int, int]] = defaultdict(lambda: defaultdict(int))
        for question_id, counts in self._counted(question_ids).items():
            for (_, option_id, _), count in counts.items():
                if option_id is not None:
                    found[question_id][option_id] += count
        return found

    def _counted(self, question_ids: list[int]) -> AnswerCounts:
        """Counts already read that include every one of the questions, or theirs read now."""
        for key, (counts, _) in self._answers.items():
            if set(question_ids) <= set(key[0]):
                return counts
        return self.answer_counts(question_ids)[0]

    def members(self, response_ids: Iterable[int]) -> set[int]:
        """Which of these response ids the set holds."""
        return self.matched.members(response_ids)

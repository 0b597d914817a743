"""What changed between the waves of a series (portal/consultations/copies.new_wave).

A question is the same question in every wave that has its key, and an answer the same answer
in every wave that has its option value, whatever the wording. Each wave's figures come from
the same counts as its results page (reporting.service.question_results, and the panel's
weighting, reporting.panel_report.weighted_results); only those counts are combined here, with
the method in reporting.change.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from flask_babel import gettext as _

from portal.consultations.models import Consultation, ConsultationStatus, QuestionType
from portal.consultations.page_plans import conditions_of
from portal.consultations.service import consultation_with_questions
from portal.reporting import panel_report
from portal.reporting.change import (
    Change,
    Net,
    Share,
    change_between,
    net_agreement,
    net_change,
    share,
)
from portal.reporting.informing import InformingQuestion
from portal.reporting.service import QuestionResult, agree_and_disagree, question_results
from portal.responses import tallies

# Choice questions are compared option by option; others (numbers, dates, text, rankings,
# matrices) are summarised on each wave's own page.
COMPARED_TYPES = {
    QuestionType.SINGLE_CHOICE,
    QuestionType.MULTIPLE_CHOICE,
    QuestionType.AGREEMENT_SCALE,
    QuestionType.RATING,
}

ASKING = set(QuestionType) - {QuestionType.INFORMATION}


@dataclass
class Wave:
    consultation: Consultation
    number: int
    responses: int

    @property
    def label(self) -> str:
        return _("Wave %(number)s", number=self.number)


@dataclass
class WaveShare:
    """One answer in one wave: how many chose it of how many answered, and the weighted
    share where the panel's weighting applies."""

    count: int
    answered: int
    share: Share
    weighted: Share | None = None

    @property
    def percent(self) -> float:
        return 100 * self.share.proportion


@dataclass
class PairChange:
    """The change between two waves (by their index in SeriesComparison.waves)."""

    earlier: int
    later: int
    change: Change | None
    weighted: Change | None = None


@dataclass
class AnswerSeries:
    value: str
    label: str  # as the latest wave that offers it words it
    shares: list[WaveShare | None]  # None: not offered in that wave
    changes: list[PairChange]
    earlier_labels: list[tuple[int, str]] = field(default_factory=list)  # (wave index, label)


@dataclass
class NetSeries:
    nets: list[Net | None]
    changes: list[PairChange]


@dataclass
class QuestionSeries:
    key: str
    text: str  # as the latest wave that asks it words it
    type: QuestionType
    texts: list[str | None]  # the wording in each wave; None where not asked
    asked_when: list[list[str]]  # each wave's routing, in words; [] where asked of everyone
    # Each wave's routing as what it reads (question key, operator, option value), so that
    # rewording the question it reads is not taken for asking other people; None: not asked.
    routings: list[frozenset[tuple[str, str, str]] | None]
    answered: list[int]
    answers: list[AnswerSeries]
    net: NetSeries | None = None
    weighted: bool = False

    @property
    def wording_changed(self) -> bool:
        return len({text for text in self.texts if text is not None}) > 1

    @property
    def routing_changed(self) -> bool:
        return len({routing for routing in self.routings if routing is not None}) > 1

    @property
    def compared(self) -> bool:
        """Whether two waves one after the other both asked it: only those are compared."""
        return any(a.changes for a in self.answers) or bool(self.net and self.net.changes)

    @property
    def answers_changed(self) -> bool:
        """Whether a wave that asked it offered answers another did not: the percentages are
        then shares of different lists of answers."""
        asked = [i for i, text in enumerate(self.texts) if text is not None]
        return any(answer.shares[i] is None for answer in self.answers for i in asked)


@dataclass
class QuestionsMoved:
    """Questions new in a wave, and those the wave no longer asks, against the wave before."""

    wave: int
    added: list[str]
    dropped: list[str]


@dataclass
class SeriesComparison:
    name: str
    waves: list[Wave]
    questions: dict[str, QuestionSeries]  # by key, compared in two or more waves
    moved: list[QuestionsMoved]

    @property
    def pairs(self) -> list[tuple[int, int]]:
        return consecutive(len(self.waves))


def consecutive(count: int) -> list[tuple[int, int]]:
    """The pairs of waves compared: each with the one before it, by index."""
    return [(index - 1, index) for index in range(1, count)]


def _answered_waves(
    consultation: Consultation, counted: Counted | None
) -> list[tuple[Consultation, int, dict[int, QuestionResult]]]:
    found = []
    for loaded in published_waves(consultation):
        if loaded.id == consultation.id and counted is not None:
            found.append((consultation, *counted))
            continue
        total, results = question_results(loaded)
        if total:
            found.append((loaded, total, results))
    return found


def published_waves(consultation: Consultation) -> list[Consultation]:
    """The waves of the consultation's series that are not drafts, by wave number, each with
    its questions; none when it is in no series."""
    if consultation.series is None:
        return []
    found = []
    for wave in consultation.series.waves:
        if wave.status != ConsultationStatus.DRAFT:
            loaded = consultation_with_questions(wave.slug)
            if loaded is not None:
                found.append(loaded)
    return found


def _shares(
    result: QuestionResult, weighted: panel_report.WeightedQuestion | None
) -> dict[str, WaveShare]:
    shares: dict[str, WaveShare] = {}
    for row in result.options:
        weighted_share = None
        if weighted is not None and row.option.id in weighted.options:
            option = weighted.options[row.option.id]
            weighted_share = share(option.weighted * weighted.effective, weighted.effective)
        shares[row.option.value] = WaveShare(
            row.count, result.answered, share(row.count, result.answered), weighted_share
        )
    return shares


def _net(result: QuestionResult) -> Net | None:
    return net_agreement(*agree_and_disagree(result), result.answered)


def _pair_changes(values: list[WaveShare | None], pairs: list[tuple[int, int]]) -> list[PairChange]:
    changes = []
    for earlier, later in pairs:
        a, b = values[earlier], values[later]
        if a is None or b is None:
            continue
        changes.append(
            PairChange(
                earlier,
                later,
                change_between(a.share, b.share),
                change_between(a.weighted, b.weighted) if a.weighted and b.weighted else None,
            )
        )
    return changes


def answered_waves(consultation: Consultation) -> int:
    """How many published waves of the consultation's series have responses (from the running
    tallies), without counting their answers: 0 for a consultation in no series."""
    if consultation.series is None:
        return 0
    return sum(
        1
        for wave in consultation.series.waves
        if wave.status != ConsultationStatus.DRAFT and tallies.total_responses(wave.id)
    )


def _routing(result: QuestionResult) -> frozenset[tuple[str, str, str]]:
    question = result.question
    return frozenset(
        (c.source_question.key, c.operator.value, c.option.value)
        for c in conditions_of(question.page, question)
    )


# A wave's counts as reporting.service.question_results gives them: responses, and each
# question's result by its id.
Counted = tuple[int, dict[int, QuestionResult]]


def compare_waves(
    consultation: Consultation,
    weighted: bool = False,
    counted: Counted | None = None,
    counted_weighted: dict[int, panel_report.WeightedQuestion] | None = None,
) -> SeriesComparison | None:
    """The series of this consultation compared wave by wave, over the waves that have
    responses; None when it is in no series or fewer than two waves have responses.
    `weighted` adds the panel's weighted figures (a GROUP BY per wave), for pages that show
    them. A page that has counted this consultation already passes its counts (`counted`,
    `counted_weighted`), so they are not counted twice. Measured (liveability, 1,000 responses
    in each of two waves, SQLite, median of 7): 33 ms, most of it loading each wave's questions;
    the results page 63 ms with the comparison, 29 ms without."""
    series = consultation.series
    if series is None or answered_waves(consultation) < 2:  # tallies, before any counting
        return None
    answered = _answered_waves(consultation, counted)
    if len(answered) < 2:
        return None
    waves = [Wave(c, c.wave_number or 0, total) for c, total, _ in answered]
    pairs = consecutive(len(waves))
    weighted_by_wave = [
        (
            counted_weighted
            if counted_weighted is not None and c.id == consultation.id
            else panel_report.weighted_results(c)
        )
        if weighted
        else {}
        for c, _wave, _results in answered
    ]
    by_key: list[dict[str, QuestionResult]] = [
        {r.question.key: r for r in results.values()} for _c, _wave, results in answered
    ]
    keys_in_order: list[str] = []
    for c, _wave, _results in reversed(
        answered
    ):  # the latest wave's order, then earlier waves' extras
        keys_in_order += [q.key for q in c.questions if q.key not in keys_in_order]
    questions: dict[str, QuestionSeries] = {}
    for key in keys_in_order:
        found = [wave.get(key) for wave in by_key]
        asked = [r for r in found if r is not None and r.answered]
        if len(asked) < 2 or asked[-1].question.type not in COMPARED_TYPES:
            continue
        latest = asked[-1].question
        if any(r.question.type != latest.type for r in asked):
            continue  # the same key asked as another kind of question is not comparable
        shares = [
            _shares(r, weighted_by_wave[i].get(r.question.id)) if r and r.answered else None
            for i, r in enumerate(found)
        ]
        answers = []
        for option in latest.answers_in_form_order:
            if option is None:
                continue  # "Other, please specify" answers are read, not compared
            per_wave = [s.get(option.value) if s is not None else None for s in shares]
            earlier_labels = [
                (i, o.label)
                for i, r in enumerate(found)
                if r is not None
                for o in r.question.options
                if o.value == option.value and o.label != option.label
            ]
            answers.append(
                AnswerSeries(
                    option.value,
                    option.shown_label,
                    per_wave,
                    _pair_changes(per_wave, pairs),
                    earlier_labels,
                )
            )
        net = None
        if latest.type == QuestionType.AGREEMENT_SCALE:
            nets = [_net(r) if r is not None and r.answered else None for r in found]
            net_changes = [
                PairChange(a, b, net_change(nets[a], nets[b]))  # type: ignore[arg-type]
                for a, b in pairs
                if nets[a] is not None and nets[b] is not None
            ]
            net = NetSeries(nets, net_changes)
        questions[key] = QuestionSeries(
            key=key,
            text=latest.text,
            type=latest.type,
            texts=[r.question.text if r is not None else None for r in found],
            asked_when=[list(r.asked_when) if r is not None else [] for r in found],
            routings=[_routing(r) if r is not None else None for r in found],
            answered=[r.answered if r is not None else 0 for r in found],
            answers=answers,
            net=net,
            weighted=any(
                s is not None and s.weighted is not None for a in answers for s in a.shares
            ),
        )
    moved = []
    for earlier, later in pairs:
        before = {q.key: q.text for q in answered[earlier][0].questions if q.type in ASKING}
        after = {q.key: q.text for q in answered[later][0].questions if q.type in ASKING}
        added = [text for key, text in after.items() if key not in before]
        dropped = [text for key, text in before.items() if key not in after]
        if added or dropped:
            moved.append(QuestionsMoved(later, added, dropped))
    return SeriesComparison(series.name, waves, questions, moved)


def comparisons_of(consultations: Iterable[Consultation]) -> dict[int, SeriesComparison]:
    """One comparison for each series these consultations are waves of, by the series' id;
    series with fewer than two answered waves are left out."""
    comparisons: dict[int, SeriesComparison] = {}
    tried: set[int] = set()
    for consultation in consultations:
        series_id = consultation.series_id
        if series_id is None or series_id in tried:
            continue
        tried.add(series_id)
        found = compare_waves(consultation)
        if found is not None:
            comparisons[series_id] = found
    return comparisons


@dataclass
class OutcomeChanges:
    """The questions of one series informing an outcome, compared wave by wave."""

    comparison: SeriesComparison
    questions: list[QuestionSeries]

    @property
    def latest(self) -> Consultation:
        return self.comparison.waves[-1].consultation


def changes_by_outcome(
    informing: dict[int, list[InformingQuestion]],
) -> dict[int, list[OutcomeChanges]]:
    """For each outcome, the questions informing it that were compared between waves,
    grouped by series; each series compared once for all outcomes."""
    comparisons = comparisons_of(
        item.consultation for items in informing.values() for item in items
    )
    found: dict[int, list[OutcomeChanges]] = defaultdict(list)
    for outcome_id, items in informing.items():
        for series_id, comparison in comparisons.items():
            keys = {i.question.key for i in items if i.consultation.series_id == series_id}
            questions = [q for key, q in comparison.questions.items() if key in keys]
            if questions:
                found[outcome_id].append(OutcomeChanges(comparison, questions))
    return found

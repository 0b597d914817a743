"""The committee report's change between waves: for each outcome, every question informing it
from a survey run in two waves or more, as a table of each wave's percentage with its 95%
interval, the change in points with its interval, and whether sampling error could explain it
(reporting.change, over reporting.waves.compare_waves).

Committee papers are public: a wave's percentage is hidden wherever that wave's published
table hides its count (publications.service.public_question, with the secondary rule), and a
change is shown only where both waves' percentages are.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from flask_babel import LazyString
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from portal.consultations.models import Consultation, QuestionType
from portal.publications.service import PublicQuestion, public_question
from portal.reporting.change import Change, Share
from portal.reporting.figures import and_list
from portal.reporting.informing import InformingQuestion
from portal.reporting.service import QuestionResult, question_results
from portal.reporting.waves import (
    COMPARED_TYPES,
    AnswerSeries,
    NetSeries,
    QuestionSeries,
    SeriesComparison,
    Wave,
)
from portal.strategy.figures import interval_end, signed_points
from portal.suppression import Figure, suppress_count

SMALL: LazyString = _l("not shown: fewer than 10 people")
GIVES_AWAY: LazyString = _l("not shown: it would give away a number under 10")


@dataclass
class WaveAsked:
    """One wave as a question's change block introduces it."""

    label: str  # "Wave 1"
    consultation: Consultation
    answered: Figure | None  # None: this wave did not ask the question
    enough: bool  # 10 or more answered it: its figures can be shown


@dataclass
class Cell:
    """A figure with its 95% interval, or why it is not shown; a change also says what
    sampling error makes of it."""

    text: str  # "55.0%", "+30.0 points", "not shown: fewer than 10 people"
    interval: str = ""  # "(39.8% to 69.3%)"
    verdict: str = ""  # Verdict.words, where a change is shown


@dataclass
class ChangeRow:
    label: str
    earlier_labels: list[str]  # 'wave 1: "Quite safe"', where an earlier wave worded it so
    shares: list[Cell]  # per wave
    changes: list[Cell]  # per compared pair of waves


@dataclass
class QuestionChange:
    series_name: str
    text: str
    waves: list[WaveAsked]
    pairs: list[str]  # "wave 1 to wave 2"
    rows: list[ChangeRow]
    net: ChangeRow | None
    too_few: list[str]  # waves where fewer than 10 answered: "wave 2"
    wording: list[str]  # 'Wave 1 asked: "..."', one per wave; empty when never reworded
    routing: list[str]  # "Wave 1 asked it of everyone", ...; empty when never changed
    asked_when: list[str]  # its conditions, where every wave routed it the same way
    several: bool

    @property
    def compared(self) -> bool:
        """Two waves or more with enough answers to compare."""
        return sum(w.enough for w in self.waves) >= 2 and bool(self.pairs)


@dataclass
class OneWaveQuestion:
    """A question informing the outcome that only one wave of its series asked."""

    series_name: str
    text: str
    wave: str  # "wave 1"


def wave_name(consultation: Consultation, compared: set[int]) -> str:
    """A wave of a series compared in the report is named as one ("Wave 2 of ..."): waves
    often share a title."""
    series = consultation.series
    if series is None or consultation.series_id not in compared or not consultation.wave_number:
        return consultation.title
    if consultation.title == series.name:
        return _(
            "Wave %(number)s of %(series)s", number=consultation.wave_number, series=series.name
        )
    return _(
        "%(title)s (wave %(number)s of %(series)s)",
        title=consultation.title,
        number=consultation.wave_number,
        series=series.name,
    )


def changes_by_outcome(
    informing: dict[int, list[InformingQuestion]],
    comparisons: dict[int, SeriesComparison],
    results_by_wave: dict[int, dict[int, QuestionResult]],
) -> tuple[dict[int, list[QuestionChange]], dict[int, list[OneWaveQuestion]]]:
    """Each outcome's questions from a series compared wave by wave: every wave's question
    informs the outcome, but each is shown once, and worked out once for all outcomes."""
    built: dict[tuple[int, str], QuestionChange] = {}
    changes: dict[int, list[QuestionChange]] = defaultdict(list)
    one_wave: dict[int, list[OneWaveQuestion]] = defaultdict(list)
    for outcome_id, items in informing.items():
        seen: set[tuple[int, str]] = set()
        for item in items:
            series_id = item.consultation.series_id
            if series_id not in comparisons or (series_id, item.question.key) in seen:
                continue
            seen.add((series_id, item.question.key))
            comparison = comparisons[series_id]
            question = comparison.questions.get(item.question.key)
            if question is None:
                asked_in = [
                    wave.label.lower()
                    for wave in comparison.waves
                    if any(q.key == item.question.key for q in wave.consultation.questions)
                ]
                if len(asked_in) == 1 and item.question.type in COMPARED_TYPES:
                    one_wave[outcome_id].append(
                        OneWaveQuestion(comparison.name, item.question.text, asked_in[0])
                    )
                continue
            key = (series_id, question.key)
            if key not in built:
                built[key] = _question_change(comparison, question, results_by_wave)
            changes[outcome_id].append(built[key])
    return changes, one_wave


def _percent(proportion: float) -> str:
    return f"{100 * proportion:.1f}%"


def _share_cell(found: Share) -> Cell:
    interval = found.interval
    return Cell(
        _percent(found.proportion),
        _("(%(low)s to %(high)s)", low=_percent(interval.low), high=_percent(interval.high)),
    )


def _points_cell(value: float, low: float, high: float, verdict: str = "") -> Cell:
    return Cell(
        _("%(change)s points", change=signed_points(100 * value)),
        _("(%(low)s to %(high)s)", low=interval_end(100 * low), high=interval_end(100 * high)),
        verdict,
    )


def _change_cell(change: Change | None) -> Cell:
    if change is None:
        return Cell(_("no comparison"))
    interval = change.interval
    return _points_cell(change.difference, interval.low, interval.high, change.verdict.words)


@dataclass
class _WaveFigures:
    """One wave's figures for one question, as the report may show them."""

    asked: bool
    enough: bool  # 10 or more answered
    public: PublicQuestion | None
    by_value: dict[str, Figure]  # each answer's count as its published table shows it


def _wave_figures(
    comparison: SeriesComparison,
    question: QuestionSeries,
    results_by_wave: dict[int, dict[int, QuestionResult]],
) -> list[_WaveFigures]:
    """Each wave's answers as its published results show them: the change block hides at
    least what the evidence table beside it hides, or the two together would give a small
    number away."""
    found = []
    for index, wave in enumerate(comparison.waves):
        results = results_by_wave.get(wave.consultation.id)
        if results is None:  # a wave whose questions inform no outcome: counted here only
            results = question_results(wave.consultation)[1]
            results_by_wave[wave.consultation.id] = results
        asked = question.texts[index] is not None
        result = next((r for r in results.values() if r.question.key == question.key), None)
        if result is None or not asked:
            found.append(_WaveFigures(asked, False, None, {}))
            continue
        public = public_question(result.question, result, [])
        if public.too_few:  # no table at all: nothing of it is shown
            found.append(_WaveFigures(True, False, public, {}))
            continue
        by_value = {
            row.option.value: shown.figure
            for row, shown in zip(result.choice_rows, public.rows, strict=True)
            if row.option is not None
        }
        found.append(_WaveFigures(True, True, public, by_value))
    return found


def _answer_row(
    answer: AnswerSeries,
    waves: list[Wave],
    figures: list[_WaveFigures],
    pairs: list[tuple[int, int]],
) -> ChangeRow:
    shares = []
    for wave, wave_share in zip(figures, answer.shares, strict=True):
        figure = wave.by_value.get(answer.value)
        if not wave.asked:
            shares.append(Cell(_("not asked")))
        elif not wave.enough:
            shares.append(Cell(_("not shown")))
        elif wave_share is None:
            shares.append(Cell(_("not offered")))
        elif figure is None or figure.hidden:
            shares.append(Cell(_("not shown")))
        else:
            shares.append(_share_cell(wave_share.share))
    by_pair = {(c.earlier, c.later): c.change for c in answer.changes}
    cells = []
    for a, b in pairs:
        both = [figures[a], figures[b]]
        shown = [w.by_value.get(answer.value) for w in both]
        if not all(w.enough for w in both) or any(f and f.reason == "small" for f in shown):
            cells.append(Cell(str(SMALL)))
        elif (a, b) not in by_pair:
            cells.append(Cell(_("no comparison: not offered in both waves")))
        elif any(f is None or f.hidden for f in shown):
            cells.append(Cell(str(GIVES_AWAY)))
        else:
            cells.append(_change_cell(by_pair[(a, b)]))
    earlier = [
        _("%(wave)s: \u201c%(label)s\u201d", wave=waves[i].label.lower(), label=label)
        for i, label in answer.earlier_labels
    ]
    return ChangeRow(answer.label, earlier, shares, cells)


def _net_row(
    net: NetSeries, figures: list[_WaveFigures], pairs: list[tuple[int, int]]
) -> ChangeRow:
    """Shown only for a wave whose published table shows every answer, as publications do:
    with one hidden, the net figure could give it away."""
    shown = [w.public is not None and w.public.net_agreement is not None for w in figures]
    nets = []
    for wave, found, is_shown in zip(figures, net.nets, shown, strict=True):
        if found is not None and is_shown:
            nets.append(_points_cell(found.value, found.interval.low, found.interval.high))
        else:
            nets.append(Cell(_("not shown") if wave.asked else _("not asked")))
    by_pair = {(c.earlier, c.later): c.change for c in net.changes}
    return ChangeRow(
        _("Net agreement (agree less disagree)"),
        [],
        nets,
        [
            _change_cell(by_pair.get((a, b)))
            if shown[a] and shown[b]
            else Cell(_("not shown: an answer had fewer than 10 people"))
            for a, b in pairs
        ],
    )


def _question_change(
    comparison: SeriesComparison,
    question: QuestionSeries,
    results_by_wave: dict[int, dict[int, QuestionResult]],
) -> QuestionChange:
    waves = comparison.waves
    figures = _wave_figures(comparison, question, results_by_wave)
    pairs = [(a, b) for a, b in comparison.pairs if figures[a].asked and figures[b].asked]
    labels = [wave.label for wave in waves]
    return QuestionChange(
        series_name=comparison.name,
        text=question.text,
        waves=[
            WaveAsked(
                wave.label,
                wave.consultation,
                suppress_count(answered) if found.asked else None,
                found.enough,
            )
            for wave, found, answered in zip(waves, figures, question.answered, strict=True)
        ],
        pairs=[
            _("%(earlier)s to %(later)s", earlier=labels[a].lower(), later=labels[b].lower())
            for a, b in pairs
        ],
        rows=[_answer_row(answer, waves, figures, pairs) for answer in question.answers],
        net=_net_row(question.net, figures, pairs) if question.net is not None else None,
        too_few=[
            label.lower()
            for label, found in zip(labels, figures, strict=True)
            if found.asked and not found.enough
        ],
        wording=_wording(labels, question.texts) if question.wording_changed else [],
        routing=_routing(labels, question) if question.routing_changed else [],
        asked_when=[] if question.routing_changed else question.asked_when[-1],
        several=question.type == QuestionType.MULTIPLE_CHOICE,
    )


def _wording(labels: list[str], texts: list[str | None]) -> list[str]:
    """'Wave 1 asked: "..."', 'Wave 2 asks: "..."': the latest wave in the present tense."""
    said = [(label, text) for label, text in zip(labels, texts, strict=True) if text]
    return [
        _("%(wave)s asks: \u201c%(text)s\u201d", wave=label, text=text)
        if index == len(said) - 1
        else _("%(wave)s asked: \u201c%(text)s\u201d", wave=label, text=text)
        for index, (label, text) in enumerate(said)
    ]


def _routing(labels: list[str], question: QuestionSeries) -> list[str]:
    """'Wave 1 asked it of everyone', 'Wave 2 asks it only when ...': the latest wave in the
    present tense."""
    asked = [
        (label, when)
        for label, text, when in zip(labels, question.texts, question.asked_when, strict=True)
        if text
    ]
    found = []
    for index, (label, when) in enumerate(asked):
        latest = index == len(asked) - 1
        if when and latest:
            found.append(
                _(
                    "%(wave)s asks it only when %(conditions)s",
                    wave=label,
                    conditions=and_list(when),
                )
            )
        elif when:
            found.append(
                _(
                    "%(wave)s asked it only when %(conditions)s",
                    wave=label,
                    conditions=and_list(when),
                )
            )
        elif latest:
            found.append(_("%(wave)s asks it of everyone", wave=label))
        else:
            found.append(_("%(wave)s asked it of everyone", wave=label))
    return found

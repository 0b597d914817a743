"""Downloads of a survey series (consultations.copies.new_wave): every wave's responses in one
file, and the change between consecutive waves with its intervals and test.

The responses file is the single-consultation export (reporting.export) once per published
wave, under one header, with the wave's number and title in front. Its columns line up by the
question's key, not its position: the questions of the latest wave in its order, then any that
earlier waves asked and later ones dropped; within a question, by each option's value. Each
wave is exported through a stand-in of itself that has every question of the series worded as
the latest wave words it, with the wave's own ids where it asked the question or offered the
option and ids that match no answer where it did not, so its cells there are empty.

The change file is reporting.waves.compare_waves written out: one row per compared answer and
consecutive pair of waves, and per agreement scale's net agreement.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal

from portal.clock import utcnow
from portal.consultations.builder import QUESTION_FIELDS
from portal.consultations.models import (
    Consultation,
    Option,
    OptionKind,
    Page,
    Question,
    QuestionType,
)
from portal.csv_export import csv_text
from portal.reporting import export
from portal.reporting.change import Change, Share
from portal.reporting.export import _uk_minute
from portal.reporting.service import matching_responses
from portal.reporting.spreadsheets import Cell, Sheet, cell_text
from portal.reporting.waves import (
    NetSeries,
    PairChange,
    SeriesComparison,
    WaveShare,
)
from portal.reporting.weighting import Interval

METHOD = (
    "Each wave's percentage has a 95% Wilson interval; the change between two waves has "
    "Newcombe's 95% interval, built from the two Wilson intervals, and a two-proportion z test "
    "with the pooled proportion. A change is larger than sampling error would explain when the "
    "test gives p below 0.05 and the interval of the change does not include 0, within sampling "
    "error when neither holds, and on the edge when only one does."
)
NET_METHOD = (
    "Net agreement (agreement scales) is the percentage who agree minus the percentage who "
    "disagree. Each wave's has a 95% interval adjusted for small numbers (Agresti and Caffo's "
    "method: about one agreeing and one disagreeing answer added before the usual interval). "
    "Its change is tested with the two waves' answers pooled, as the two-proportion test pools "
    "them, has a 95% interval from the two waves' own variances added, and is judged as an "
    "answer's change is."
)
WEIGHTED_METHOD = (
    "Weighted figures, where the panel's weighting applies, are weighted to the county's "
    "population by district and age band, with the effective number answering in place of the "
    "number answering; empty where it does not apply."
)
WORDING = (
    "A question is the same question in every wave that has its key, and an answer the same "
    "answer in every wave that has its value; both are worded as the latest wave words them."
)
NET_LABEL = "Net agreement (agree minus disagree)"


# -- Every wave's responses ---------------------------------------------------------------------


# The same key asked as another kind of question is another question: its answers are stored
# and written differently.
QuestionIdentity = tuple[str, QuestionType]


def _questions_by_identity(waves: Sequence[Consultation]) -> list[list[Question | None]]:
    """Every question of the series, the latest wave's first, then those earlier waves asked
    and later ones dropped: each as every wave asked it (None where that wave did not)."""
    found: dict[QuestionIdentity, list[Question | None]] = {}
    for index in reversed(range(len(waves))):
        for question in waves[index].questions:
            versions = found.setdefault((question.key, question.type), [None] * len(waves))
            versions[index] = question
    return list(found.values())


def _stand_in(versions: Sequence[Question | None], wave: int, unmatched: Iterator[int]) -> Question:
    """The question as the responses file writes it for one wave: the latest wording, every
    option any wave offered (those the latest wave no longer offers as retired ones, as the
    single export shows them), and the wave's own ids, or ids no answer has.

    Transient: never added to the session, and holding no persistent object, so nothing can
    cascade it into one."""
    asked = [q for q in versions if q is not None]
    latest = asked[-1]
    own = versions[wave]
    own_ids = {option.value: option.id for option in own.options} if own else {}
    options: list[Option] = []
    for version in reversed(asked):
        for option in version.options:
            if option.value in {o.value for o in options}:
                continue
            kind = option.kind
            if version is not latest and kind == OptionKind.CHOICE:
                kind = OptionKind.RETIRED
            options.append(
                Option(
                    id=own_ids.get(option.value) or next(unmatched),
                    position=len(options) + 1,
                    value=option.value,
                    label=option.label,
                    hint="",
                    exclusive=option.exclusive,
                    scale_weight=option.scale_weight,
                    kind=kind,
                )
            )
    fields = {name: getattr(latest, name) for name in QUESTION_FIELDS}
    fields["other_label"] = next((q.other_label for q in reversed(asked) if q.other_label), None)
    return Question(
        id=own.id if own else next(unmatched),
        key=latest.key,
        type=latest.type,
        position=latest.position,
        options=options,
        **fields,
    )


def _wave_as_exported(
    wave: Consultation, index: int, questions: list[list[Question | None]]
) -> Consultation:
    """A transient stand-in of the wave for export.header and export.rows, which read its id
    (to find its responses) and its questions (the columns, and the answers under each)."""
    unmatched = itertools.count(-1, -1)  # no answer refers to a negative id
    stand_ins = [_stand_in(versions, index, unmatched) for versions in questions]
    return Consultation(id=wave.id, pages=[Page(position=1, questions=stand_ins)])


@dataclass(frozen=True)
class WaveAsExported:
    number: int | None
    title: str
    stand_in: Consultation


def _as_exported(waves: Sequence[Consultation]) -> list[WaveAsExported]:
    """Every wave's stand-in, built before the download starts: a streamed response outlives
    the request's database session, so nothing may be read lazily from the waves after."""
    questions = _questions_by_identity(waves)
    return [
        WaveAsExported(wave.wave_number, wave.title, _wave_as_exported(wave, index, questions))
        for index, wave in enumerate(waves)
    ]


def responses_header(waves: Sequence[WaveAsExported]) -> list[str]:
    return ["Wave", "Consultation", *export.header(waves[-1].stand_in)]


def responses_rows(
    waves: Sequence[WaveAsExported], chunk: int = export.CHUNK
) -> Iterator[list[Cell]]:
    """Every response of every wave, wave by wave, each read as export.rows reads them."""
    for wave in waves:
        for cells in export.rows(wave.stand_in, chunk):
            yield [str(wave.number or ""), wave.title, *cells]


def stream_responses_csv(waves: Sequence[Consultation]) -> Iterator[str]:
    exported = _as_exported(waves)
    text_rows = ([cell_text(cell) for cell in row] for row in responses_rows(exported))
    return csv_text(responses_header(exported), text_rows)


def series_name(waves: Sequence[Consultation]) -> str:
    series = waves[0].series
    return series.name if series is not None else waves[0].title


def _about(name: str, contents: str, waves: list[tuple[int | None, int]]) -> list[list[Cell]]:
    return [
        ["About this export", ""],
        ["Series", name],
        ["Contents", contents],
        ["Waves", ", ".join(f"Wave {number} ({count:,} responses)" for number, count in waves)],
        ["Exported (UK time)", _uk_minute(utcnow())],
    ]


def responses_sheets(waves: Sequence[Consultation]) -> list[Sheet]:
    about = _about(
        series_name(waves),
        "One row per response of every wave that is not a draft, with its wave. A cell is "
        "empty where that wave did not ask the question or offer the answer.",
        [(wave.wave_number, matching_responses(wave)) for wave in waves],
    )
    about.append(["Questions", WORDING])

    exported = _as_exported(waves)
    header = responses_header(exported)

    def body() -> Iterator[Sequence[Cell]]:
        yield header
        yield from responses_rows(exported)

    return [("Responses", body()), ("About this export", about)]


# -- The change between waves -------------------------------------------------------------------

CHANGE_HEADER = [
    "Question",
    "Answer",
    "Earlier wave",
    "Earlier count",
    "Earlier answered",
    "Earlier % (net agreement: points)",
    "Earlier 95% low",
    "Earlier 95% high",
    "Later wave",
    "Later count",
    "Later answered",
    "Later % (net agreement: points)",
    "Later 95% low",
    "Later 95% high",
    "Change (points)",
    "Change 95% low",
    "Change 95% high",
    "z",
    "p value",
    "Verdict",
    "Weighted earlier %",
    "Weighted earlier 95% low",
    "Weighted earlier 95% high",
    "Earlier effective number",
    "Weighted later %",
    "Weighted later 95% low",
    "Weighted later 95% high",
    "Later effective number",
    "Weighted change (percentage points)",
    "Weighted change 95% low",
    "Weighted change 95% high",
    "Weighted verdict",
]

# A number the CSV writes as it is and the spreadsheets as a number; text stays text.
ChangeCell = str | Decimal


def _number(value: float, places: int) -> Decimal:
    """Rounded as the pages show it; never "-0.0"."""
    rounded = Decimal(f"{value:.{places}f}")
    return abs(rounded) if rounded == 0 else rounded


def _points(proportion: float) -> Decimal:
    return _number(100 * proportion, 1)


def _interval_end(proportion: float) -> Decimal:
    """In points to 1 place, as the pages show it; an end closer to 0 than 0.05 points to 4,
    so which side of 0 it falls (which decides the verdict) still shows."""
    points = 100 * proportion
    return _number(points, 4 if points and abs(points) < 0.05 else 1)


def _interval(interval: Interval) -> list[ChangeCell]:
    return [_interval_end(interval.low), _interval_end(interval.high)]


def _p_value(p: float) -> ChangeCell:
    """To 3 places, as the pages say it (4 close to 0.05, as they do, so it never reads 0.050
    beside a verdict decided on which side of 0.05 it is); below 0.001, "< 0.001" (0.000 would
    read as none)."""
    if p < 0.001:
        return "< 0.001"
    return _number(p, 4 if 0.0495 <= p < 0.0505 else 3)


def _test(change: Change) -> list[ChangeCell]:
    return [
        _points(change.difference),
        *_interval(change.interval),
        _number(change.z, 2),
        _p_value(change.p_value),
        change.verdict.words,
    ]


def _weighted_share(share: Share | None) -> list[ChangeCell]:
    if share is None:
        return ["", "", "", ""]
    return [_points(share.proportion), *_interval(share.interval), _number(share.answered, 1)]


def _answer_row(
    question: str,
    answer: str,
    comparison: SeriesComparison,
    shares: list[WaveShare | None],
    pair: PairChange,
) -> list[ChangeCell] | None:
    earlier, later = shares[pair.earlier], shares[pair.later]
    if pair.change is None or earlier is None or later is None:
        return None
    row: list[ChangeCell] = [question, answer]
    for index, share in ((pair.earlier, earlier), (pair.later, later)):
        row += [
            Decimal(comparison.waves[index].number),
            Decimal(share.count),
            Decimal(share.answered),
            _points(share.share.proportion),
            *_interval(share.share.interval),
        ]
    row += _test(pair.change)
    row += _weighted_share(earlier.weighted) + _weighted_share(later.weighted)
    weighted = pair.weighted
    row += [*_test(weighted)[:3], weighted.verdict.words] if weighted else ["", "", "", ""]
    return row


def _net_row(
    question: str, comparison: SeriesComparison, net: NetSeries, pair: PairChange
) -> list[ChangeCell] | None:
    before, after = net.nets[pair.earlier], net.nets[pair.later]
    if pair.change is None or before is None or after is None:
        return None
    row: list[ChangeCell] = [question, NET_LABEL]
    for index, wave_net in ((pair.earlier, before), (pair.later, after)):
        row += [
            Decimal(comparison.waves[index].number),
            "",  # a net is not a count of people
            Decimal(round(wave_net.answered)),
            _points(wave_net.value),
            *_interval(wave_net.interval),
        ]
    row += _test(pair.change)
    return row + [""] * (len(CHANGE_HEADER) - len(row))  # net agreement is not weighted


def change_rows(comparison: SeriesComparison) -> list[list[ChangeCell]]:
    """Every compared answer's change between each pair of consecutive waves that offered it,
    then, for an agreement scale, the change in its net agreement."""
    found: list[list[ChangeCell]] = []
    for question in comparison.questions.values():
        for answer in question.answers:
            for pair in answer.changes:
                row = _answer_row(question.text, answer.label, comparison, answer.shares, pair)
                if row is not None:
                    found.append(row)
        if question.net is None:
            continue
        for pair in question.net.changes:
            row = _net_row(question.text, comparison, question.net, pair)
            if row is not None:
                found.append(row)
    return found


def _as_cells(rows: list[list[ChangeCell]]) -> Iterator[list[Cell]]:
    for row in rows:
        yield [format(cell, "f") if isinstance(cell, Decimal) else cell for cell in row]


def stream_change_csv(comparison: SeriesComparison) -> Iterator[str]:
    # Numbers go to the CSV writer as numbers: only text is defused as a possible formula,
    # and a negative change is a number, not a formula.
    return csv_text(CHANGE_HEADER, change_rows(comparison))


def change_sheets(comparison: SeriesComparison) -> list[Sheet]:
    about = _about(
        comparison.name,
        "The change in each answer between consecutive waves, with its 95% interval and test",
        [(wave.number, wave.responses) for wave in comparison.waves],
    )
    about += [
        ["Method", METHOD],
        ["Net agreement", NET_METHOD],
        ["Weighted figures", WEIGHTED_METHOD],
    ]
    about.append(["Questions", WORDING])
    for moved in comparison.moved:
        label = comparison.waves[moved.wave].label
        if moved.added:
            about.append([f"New in {label}", "; ".join(moved.added)])
        if moved.dropped:
            about.append([f"No longer asked in {label}", "; ".join(moved.dropped)])
    return [
        ("Change between waves", [CHANGE_HEADER, *_as_cells(change_rows(comparison))]),
        ("About this export", about),
    ]

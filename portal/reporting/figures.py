"""What results are made of: each question's figures as an officer's page, an export or a
published page shows them, apart from how they are counted (reporting.service)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import reduce

from flask_babel import gettext as _

from portal.consultations.models import Consultation, Option, Question, QuestionType
from portal.consultations.question_types import ResultsKind, kind_of
from portal.reporting.areas import AreaRow
from portal.reporting.number_figures import NumberSummary
from portal.strategy.models import Outcome


def and_list(items: list[str]) -> str:
    """Conditions joined as one: "A and B and C"."""
    if not items:
        return ""
    return reduce(lambda first, then: _("%(first)s and %(then)s", first=first, then=then), items)


def percent(part: float, whole: float) -> float:
    return round(100.0 * part / whole, 1) if whole else 0.0


@dataclass(frozen=True)
class ResponseCounts:
    today: int = 0
    this_week: int = 0
    total: int = 0


@dataclass
class OptionResult:
    option: Option
    count: int
    percent: float


@dataclass
class ChoiceRow:
    """One answer to a choice question as results show it: an option, or the "Other" answer
    (option None)."""

    label: str
    count: int
    percent: float
    option: Option | None


@dataclass
class RankResult:
    option: Option
    ranked: int  # how many people ranked it at all
    first: int  # how many ranked it first
    mean_rank: float | None  # average position among those who ranked it


@dataclass
class StatementResult:
    statement: Option
    answered: int
    options: list[OptionResult]


@dataclass
class EarlierWording:
    """Wording some respondents saw before an officer corrected it."""

    responses: int
    text: str | None  # the question as they read it, when it differs from today's
    labels: dict[str, str]  # option label today -> the label they read, where different


@dataclass
class QuestionResult:
    question: Question
    answered: int
    skipped: int
    options: list[OptionResult] = field(default_factory=list)
    other_count: int = 0  # "Other, please specify" answers
    other_percent: float = 0.0
    comment_count: int = 0  # free text answers
    net_agreement: float | None = None  # agreement scales: % agree minus % disagree
    mean_score: float | None = None  # ratings: the average score
    numbers: NumberSummary | None = None
    earliest: date | None = None  # date questions
    latest: date | None = None
    by_month: list[tuple[date, int]] = field(default_factory=list)  # (first of month, answers)
    ranks: list[RankResult] = field(default_factory=list)
    statements: list[StatementResult] = field(default_factory=list)
    earlier_wordings: list[EarlierWording] = field(default_factory=list)
    not_asked: int = 0  # routed past it, or answered a version without it
    asked_when: list[str] = field(default_factory=list)  # its conditions, in words
    # Responses to a version of the consultation that routed this question differently.
    earlier_routing: int = 0
    areas: list[AreaRow] = field(default_factory=list)  # postcode areas by deprivation decile

    @property
    def kind(self) -> str:
        return kind_of(self.question).results

    @property
    def choice_rows(self) -> list[ChoiceRow]:
        """The answers in the order the form offers them (Question.answers_in_form_order);
        retired options only where someone chose them."""
        counted = {r.option.id: r for r in self.options}
        rows = []
        for option in self.question.answers_in_form_order:
            if option is None:
                label = self.question.other_label or ""
                rows.append(ChoiceRow(label, self.other_count, self.other_percent, None))
            elif option.id in counted:
                found = counted[option.id]
                rows.append(ChoiceRow(option.shown_label, found.count, found.percent, option))
        return rows

    @property
    def base_description(self) -> str:
        """What the percentages are of: a routed question's, of the people who were asked."""
        several = self.question.type == QuestionType.MULTIPLE_CHOICE
        if self.asked_when:
            asked = _("Asked only when %(conditions)s.", conditions=and_list(self.asked_when))
            if several:
                return _(
                    "%(asked)s Percentages are of the people who were asked it and answered; "
                    "they could choose more than one, so the percentages can add up to more "
                    "than 100%%.",
                    asked=asked,
                )
            if self.kind == ResultsKind.MATRIX:
                return _(
                    "%(asked)s Percentages are of the people who were asked it and answered "
                    "each statement.",
                    asked=asked,
                )
            if self.kind == ResultsKind.CHOICES:
                return _(
                    "%(asked)s Percentages are of the people who were asked it and answered.",
                    asked=asked,
                )
            return asked
        if several:
            # No variables, so gettext leaves the "%" as it is.
            return _(
                "Percentages are of the people who answered; they could choose more than one, "
                "so the percentages can add up to more than 100%."
            )
        if self.kind == ResultsKind.MATRIX:
            return _("Percentages are of the people who answered each statement.")
        if self.kind == ResultsKind.CHOICES:
            return _("Percentages are of the people who answered.")
        return ""


@dataclass
class OutcomeResults:
    outcome: Outcome
    questions: list[QuestionResult]


@dataclass
class ConsultationResults:
    consultation: Consultation
    total_responses: int
    by_outcome: list[OutcomeResults]
    other_questions: list[QuestionResult]

    @property
    def by_question(self) -> dict[int, QuestionResult]:
        """Every question's result by the question's id (each once)."""
        found = {r.question.id: r for section in self.by_outcome for r in section.questions}
        found.update((r.question.id, r) for r in self.other_questions)
        return found


def agree_and_disagree(result: QuestionResult) -> tuple[int, int]:
    """How many agreed (a positive scale weight) and how many disagreed (a negative one)."""
    agree = sum(r.count for r in result.options if (r.option.scale_weight or 0) > 0)
    disagree = sum(r.count for r in result.options if (r.option.scale_weight or 0) < 0)
    return agree, disagree

"""A cross-tabulation of two choice questions: how people who gave each answer to one question
answered another, with row percentages (or, in place of the rows' question, the deprivation
decile of their area or the language they answered in). Counted from the results index's
bitmaps where it covers the responses, and by GROUP BY over a self-join of the answer table
for the rest; no response or answer is loaded into Python to be counted."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import aliased

from portal.areas.models import DECILES, AreaDeprivation
from portal.consultations.models import Option, Question, QuestionType
from portal.extensions import db
from portal.reporting import results_index
from portal.reporting.figures import percent
from portal.reporting.filters import NO_FILTER, ResponseFilter, decile_label, language_name
from portal.reporting.response_set import ResponseSet
from portal.responses.models import Answer, Response


@dataclass(frozen=True)
class Category:
    """An option, or the "Other" answers (option None) of a question that allows them."""

    option: Option | None
    label: str


@dataclass(frozen=True)
class Cell:
    count: int
    row_percent: float


@dataclass(frozen=True)
class CrossTabRow:
    category: Category
    base: int  # respondents who gave this row's answer and answered the column question
    cells: list[Cell]


@dataclass(frozen=True)
class CrossTab:
    rows_question: Question | None  # None: the rows are what `rows_by` names
    columns_question: Question
    columns: list[Category]
    rows: list[CrossTabRow]
    column_totals: list[int]  # respondents who gave each column's answer
    base: int  # respondents who answered both questions
    # What the rows are when they are not a question's answers: BY_DECILE or BY_LANGUAGE.
    rows_by: str = ""

    @property
    def rows_title(self) -> str:
        if self.rows_question:
            return self.rows_question.text
        return str(DECILE_ROWS if self.by_decile else LANGUAGE_ROWS)

    @property
    def rows_heading(self) -> str:
        """The heading of the rows' labels."""
        if self.rows_question:
            return _("Answer")
        return _("Deprivation decile") if self.by_decile else _("Language")

    @property
    def by_decile(self) -> bool:
        return self.rows_question is None and self.rows_by == BY_DECILE

    @property
    def columns_multiple(self) -> bool:
        """Row percentages can add up past 100% when the column question takes several."""
        return self.columns_question.type == QuestionType.MULTIPLE_CHOICE


# What a cross-tab's rows can be besides a question's answers, and their titles (lazy: shown
# in the officer's language).
BY_DECILE, BY_LANGUAGE = "decile", "language"
DECILE_ROWS = _l("Deprivation decile of the area given")
LANGUAGE_ROWS = _l("Language answered in")


def categories(question: Question) -> list[Category]:
    """The answers in the form's order, "Other" where the form offers it."""
    return [
        Category(option, option.shown_label)
        if option
        else Category(None, _("Other: %(label)s", label=question.other_label))
        for option in question.answers_in_form_order
    ]


def _id(category: Category) -> int | None:
    return category.option.id if category.option else None


@dataclass
class _Counts:
    """Respondents per (row, column), per row and per column, and in all. A row is an option's
    id (None: "Other"), or a language's code."""

    pairs: dict[tuple[Any, int | None], int] = field(default_factory=lambda: defaultdict(int))
    rows: dict[Any, int] = field(default_factory=lambda: defaultdict(int))
    columns: dict[int | None, int] = field(default_factory=lambda: defaultdict(int))
    base: int = 0

    def add(self, other: _Counts) -> None:
        for pair, count in other.pairs.items():
            self.pairs[pair] += count
        for key, count in other.rows.items():
            self.rows[key] += count
        for key, count in other.columns.items():
            self.columns[key] += count
        self.base += other.base


def cross_tab(
    rows_question: Question,
    columns_question: Question,
    only: ResponseFilter | ResponseSet = NO_FILTER,
) -> CrossTab:
    """Row percentages are of the respondents who gave the row's answer and answered the
    column question, so each row reads "of those who said X, how many said Y"."""
    responses = ResponseSet.of(rows_question.consultation_id, only)
    counts = _indexed_counts(responses.matched, rows_question, columns_question)
    counts.add(_counted_by_sql(rows_question, columns_question, responses.rest))
    columns = categories(columns_question)
    rows = []
    for category in categories(rows_question):
        row_base = counts.rows.get(_id(category), 0)
        cells = [
            Cell(count, percent(count, row_base))
            for column in columns
            for count in [counts.pairs.get((_id(category), _id(column)), 0)]
        ]
        rows.append(CrossTabRow(category, row_base, cells))
    column_totals = [counts.columns.get(_id(column), 0) for column in columns]
    return CrossTab(rows_question, columns_question, columns, rows, column_totals, counts.base)


def _indexed_counts(
    matched: results_index.Matched, rows_question: Question, columns_question: Question
) -> _Counts:
    """From the results index: each count is the population of the filter's bitmap ANDed
    with the answers' (one answer row per option per response, so a pair of rows is a
    respondent)."""
    found = _Counts()
    row_keys = {
        _id(c): results_index.answer_key(rows_question.id, None, _id(c), None)
        for c in categories(rows_question)
    }
    column_keys = {
        _id(c): results_index.answer_key(columns_question.id, None, _id(c), None)
        for c in categories(columns_question)
    }
    for indexed, bits in matched.ranges:
        bitmap = indexed.bitmaps.get
        both = bits & bitmap(f"q:{rows_question.id}", 0) & bitmap(f"q:{columns_question.id}", 0)
        if not both:
            continue
        found.base += both.bit_count()
        for row, row_key in row_keys.items():
            in_row = both & bitmap(row_key, 0)
            if not in_row:
                continue
            found.rows[row] += in_row.bit_count()
            for column, column_key in column_keys.items():
                found.pairs[row, column] += (in_row & bitmap(column_key, 0)).bit_count()
        for column, column_key in column_keys.items():
            found.columns[column] += (both & bitmap(column_key, 0)).bit_count()
    return found


def _counted_by_sql(
    rows_question: Question, columns_question: Question, only: ResponseFilter
) -> _Counts:
    """By GROUP BY over a self-join of the answers, for what the index does not cover."""
    row_answer, column_answer = aliased(Answer), aliased(Answer)
    # The answers of the responses left to SQL, read by response id (filters.py).
    joined = [
        only.question_column(row_answer.question_id) == rows_question.id,
        only.question_column(column_answer.question_id) == columns_question.id,
        column_answer.response_id == row_answer.response_id,
    ]
    joined += only.answer_conditions(rows_question.consultation_id, row_answer.response_id)
    found = _Counts()
    for row_option, column_option, count in db.session.execute(
        sa.select(row_answer.option_id, column_answer.option_id, sa.func.count())
        .where(*joined)
        .group_by(row_answer.option_id, column_answer.option_id)
    ):
        found.pairs[row_option, column_option] += count
    respondents = sa.func.count(sa.distinct(row_answer.response_id))
    for option_id, count in db.session.execute(
        sa.select(row_answer.option_id, respondents).where(*joined).group_by(row_answer.option_id)
    ):
        found.rows[option_id] += count
    # Counted apart, not summed down the rows: with a multiple-choice row question one
    # respondent sits in several rows.
    for option_id, count in db.session.execute(
        sa.select(column_answer.option_id, respondents)
        .where(*joined)
        .group_by(column_answer.option_id)
    ):
        found.columns[option_id] += count
    found.base = db.session.scalar(sa.select(respondents).where(*joined)) or 0
    return found


def cross_tab_by_decile(
    columns_question: Question, only: ResponseFilter | ResponseSet = NO_FILTER
) -> CrossTab:
    """The deprivation decile of the area each respondent gave (rows) by their answers to a
    choice question, counted by GROUP BY over the postcode answers joined to the council's
    lookup. Areas the lookup lacks are left out, as is anyone who gave no area."""
    area_answer, column_answer = aliased(Answer), aliased(Answer)
    consultation_id = columns_question.consultation_id
    joined = [
        area_answer.question_id.in_(
            sa.select(Question.id).where(
                Question.consultation_id == consultation_id,
                Question.type == QuestionType.POSTCODE_SECTOR,
            )
        ),
        column_answer.question_id == columns_question.id,
        column_answer.response_id == area_answer.response_id,
        AreaDeprivation.sector == area_answer.text,
        *ResponseSet.of(consultation_id, only).answer_conditions(area_answer.response_id),
    ]
    respondents = sa.func.count(sa.distinct(area_answer.response_id))

    def counted(*columns: Any) -> Any:
        statement = sa.select(*columns, respondents).select_from(area_answer)
        statement = statement.join(AreaDeprivation, AreaDeprivation.sector == area_answer.text)
        statement = statement.join(
            column_answer, column_answer.response_id == area_answer.response_id
        )
        return db.session.execute(statement.where(*joined).group_by(*columns)).all()

    pairs = {(d, o): n for d, o, n in counted(AreaDeprivation.decile, column_answer.option_id)}
    by_decile = dict(counted(AreaDeprivation.decile))
    by_option = dict(counted(column_answer.option_id))
    base = sum(by_decile.values())
    columns = categories(columns_question)
    rows = []
    for decile in DECILES:
        row_base = by_decile.get(decile, 0)
        cells = [
            Cell(count, percent(count, row_base))
            for column in columns
            for count in [pairs.get((decile, _id(column)), 0)]
        ]
        rows.append(CrossTabRow(Category(None, decile_label(decile)), row_base, cells))
    totals = [by_option.get(_id(column), 0) for column in columns]
    return CrossTab(None, columns_question, columns, rows, totals, base, BY_DECILE)


def cross_tab_by_language(
    columns_question: Question,
    languages: Sequence[str],
    only: ResponseFilter | ResponseSet = NO_FILTER,
) -> CrossTab:
    """The language each respondent answered in (rows, one per code in `languages`) by their
    answers to a choice question: from the results index's language bitmaps where it covers
    the responses, and by GROUP BY over the answers joined to their responses for the rest."""
    responses = ResponseSet.of(columns_question.consultation_id, only)
    counts = _indexed_language_counts(responses.matched, columns_question, languages)
    counts.add(_language_counted_by_sql(columns_question, responses.rest))
    columns = categories(columns_question)
    rows = []
    for code in languages:
        row_base = counts.rows.get(code, 0)
        cells = [
            Cell(count, percent(count, row_base))
            for column in columns
            for count in [counts.pairs.get((code, _id(column)), 0)]
        ]
        rows.append(CrossTabRow(Category(None, language_name(code)), row_base, cells))
    totals = [counts.columns.get(_id(column), 0) for column in columns]
    return CrossTab(None, columns_question, columns, rows, totals, counts.base, BY_LANGUAGE)


def _indexed_language_counts(
    matched: results_index.Matched, columns_question: Question, languages: Sequence[str]
) -> _Counts:
    found = _Counts()
    column_keys = {
        _id(c): results_index.answer_key(columns_question.id, None, _id(c), None)
        for c in categories(columns_question)
    }
    for indexed, bits in matched.ranges:
        answered = bits & indexed.bitmaps.get(f"q:{columns_question.id}", 0)
        if not answered:
            continue
        found.base += answered.bit_count()
        for code in languages:
            in_row = answered & indexed.languages.get(code, 0)
            if not in_row:
                continue
            found.rows[code] += in_row.bit_count()
            for column, column_key in column_keys.items():
                found.pairs[code, column] += (
                    in_row & indexed.bitmaps.get(column_key, 0)
                ).bit_count()
        for column, column_key in column_keys.items():
            found.columns[column] += (answered & indexed.bitmaps.get(column_key, 0)).bit_count()
    return found


def _language_counted_by_sql(columns_question: Question, only: ResponseFilter) -> _Counts:
    """For the responses the index does not cover (`only` is kept to them)."""
    joined = [
        only.question_column(Answer.question_id) == columns_question.id,
        *only.answer_conditions(columns_question.consultation_id, Answer.response_id),
    ]
    respondents = sa.func.count(sa.distinct(Answer.response_id))

    def counted(*columns: Any) -> Any:
        statement = sa.select(*columns, respondents).select_from(Answer)
        statement = statement.join(Response, Response.id == Answer.response_id)
        return db.session.execute(statement.where(*joined).group_by(*columns)).all()

    found = _Counts()
    for code, option_id, count in counted(Response.language, Answer.option_id):
        found.pairs[code, option_id] += count
    for code, count in counted(Response.language):
        found.rows[code] += count
    for option_id, count in counted(Answer.option_id):
        found.columns[option_id] += count
    found.base = db.session.scalar(sa.select(respondents).select_from(Answer).where(*joined)) or 0
    return found

"""A cross-tabulation of two choice questions: how people who gave each answer to one question
answered another, with row percentages. Counted by two GROUP BY queries over a self-join of the
answer table; nothing is counted in Python."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from portal.consultations.models import Option, Question, QuestionType
from portal.extensions import db
from portal.reporting.filters import NO_FILTER, ResponseFilter
from portal.reporting.service import percent
from portal.responses.models import Answer


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
    rows_question: Question
    columns_question: Question
    columns: list[Category]
    rows: list[CrossTabRow]
    column_totals: list[int]  # respondents who gave each column's answer
    base: int  # respondents who answered both questions

    @property
    def columns_multiple(self) -> bool:
        """Row percentages can add up past 100% when the column question takes several."""
        return self.columns_question.type == QuestionType.MULTIPLE_CHOICE


def categories(question: Question) -> list[Category]:
    found = [Category(option, option.label) for option in question.choices]
    if question.other_label:
        found.append(Category(None, f"Other: {question.other_label}"))
    return found


def _id(category: Category) -> int | None:
    return category.option.id if category.option else None


def cross_tab(
    rows_question: Question, columns_question: Question, only: ResponseFilter = NO_FILTER
) -> CrossTab:
    """Row percentages are of the respondents who gave the row's answer and answered the
    column question, so each row reads "of those who said X, how many said Y"."""
    row_answer, column_answer = aliased(Answer), aliased(Answer)
    joined = [
        row_answer.question_id == rows_question.id,
        column_answer.question_id == columns_question.id,
        column_answer.response_id == row_answer.response_id,
    ]
    joined += only.answer_conditions(rows_question.consultation_id, row_answer.response_id)
    pair_counts = {
        (row_option, column_option): count
        for row_option, column_option, count in db.session.execute(
            sa.select(row_answer.option_id, column_answer.option_id, sa.func.count())
            .where(*joined)
            .group_by(row_answer.option_id, column_answer.option_id)
        )
    }
    respondents = sa.func.count(sa.distinct(row_answer.response_id))
    row_bases = dict(
        db.session.execute(
            sa.select(row_answer.option_id, respondents)
            .where(*joined)
            .group_by(row_answer.option_id)
        ).all()
    )
    base = db.session.scalar(sa.select(respondents).where(*joined)) or 0
    columns = categories(columns_question)
    rows = []
    for category in categories(rows_question):
        row_base = row_bases.get(_id(category), 0)
        cells = [
            Cell(count, percent(count, row_base))
            for column in columns
            for count in [pair_counts.get((_id(category), _id(column)), 0)]
        ]
        rows.append(CrossTabRow(category, row_base, cells))
    # Counted apart, not summed down the rows: with a multiple-choice row question one
    # respondent sits in several rows.
    column_counts = dict(
        db.session.execute(
            sa.select(column_answer.option_id, respondents)
            .where(*joined)
            .group_by(column_answer.option_id)
        ).all()
    )
    column_totals = [column_counts.get(_id(column), 0) for column in columns]
    return CrossTab(rows_question, columns_question, columns, rows, column_totals, base)

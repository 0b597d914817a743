"""Display conditions: a page or question shown only when an earlier answer reads a certain
way. A condition only ever reads a choice question on an earlier page."""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import gettext as _

from portal.consultations.builder.rules import ChangeRefused
from portal.consultations.models import (
    ConditionOperator,
    Consultation,
    DisplayCondition,
    Option,
    Page,
    Question,
)
from portal.consultations.question_types import kind_of
from portal.extensions import db


def conditions_reading(question: Question) -> list[DisplayCondition]:
    return list(
        db.session.scalars(
            sa.select(DisplayCondition).where(DisplayCondition.source_question_id == question.id)
        )
    )


def condition_sources(consultation: Consultation, before: Page) -> list[Question]:
    """Questions a condition on `before` (or a question on it) may read: choice questions on
    earlier pages."""
    earlier = consultation.pages[: consultation.pages.index(before)]
    return [q for page in earlier for q in page.questions if kind_of(q).routable]


def add_condition(
    target: Page | Question, operator: ConditionOperator, option: Option
) -> DisplayCondition:
    page = target if isinstance(target, Page) else target.page
    consultation = page.consultation
    if option.question not in condition_sources(consultation, page):
        raise ChangeRefused(_("A condition can only read a choice question on an earlier page"))
    condition = DisplayCondition(
        consultation=consultation,
        source_question=option.question,
        operator=operator,
        option=option,
    )
    target.conditions.append(condition)
    db.session.commit()
    return condition


def delete_condition(condition: DisplayCondition) -> None:
    db.session.delete(condition)
    db.session.commit()


def check_conditions_still_read_earlier_pages(order: list[Page]) -> None:
    """Refuse (rolling back) an order of pages and questions that would put a question before
    the answer it depends on."""
    index = {q.id: i for i, page in enumerate(order) for q in page.questions}
    for page_index, page in enumerate(order):
        conditions = [*page.conditions, *(c for q in page.questions for c in q.conditions)]
        for condition in conditions:
            if index.get(condition.source_question_id, page_index) >= page_index:
                db.session.rollback()
                raise ChangeRefused(
                    _(
                        "That move would put a question before the answer it depends on. "
                        "Remove the condition first, or move the other question too."
                    )
                )

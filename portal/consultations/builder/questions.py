"""Questions: added, saved (settings, links to the strategy, options), moved and deleted."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _

from portal.consultations.builder.options import OptionEdits, apply_option_edits
from portal.consultations.builder.routing import (
    check_conditions_still_read_earlier_pages,
    conditions_reading,
)
from portal.consultations.builder.rules import (
    ChangeRefused,
    refuse_if_answered,
    slugify,
    unique_name,
)
from portal.consultations.models import (
    Option,
    Page,
    Question,
    QuestionType,
    question_indicator,
    question_outcome,
)
from portal.consultations.question_types import kind_for
from portal.extensions import db
from portal.strategy.models import Indicator, Outcome

QUESTION_FIELDS = (
    "text",
    "hint",
    "required",
    "personal",
    "error_required",
    "max_length",
    "other_label",
    "max_selections",
    "min_value",
    "max_value",
    "decimal_places",
)


def add_question(page: Page, question_type: QuestionType, text: str) -> Question:
    consultation = page.consultation
    kind = kind_for(question_type)
    taken = {q.key for q in consultation.questions}
    question = Question(
        consultation=consultation,
        key=unique_name(slugify(text, "_", 40), taken, "_"),
        position=len(page.questions) + 1,
        type=question_type,
        text=text,
        hint="",
        required=kind.asks,
        error_required="",
    )
    for position, option in enumerate(kind.default_options(), start=1):
        question.options.append(Option(position=position, **option))
    page.questions.append(question)
    db.session.commit()
    return question


def save_question(
    question: Question,
    values: dict[str, Any],
    outcome_ids: list[int],
    indicator_ids: list[int],
    options: OptionEdits | None = None,
    *,
    answered: bool,
) -> list[Option]:
    """Save the question's settings, the outcomes and indicators it informs, and its options,
    in one transaction: a refusal anywhere changes nothing. Returns the options added.
    `answered`: whether anyone has responded (rules.refuse_if_answered)."""
    low, high = values.get("min_value"), values.get("max_value")
    if isinstance(low, Decimal) and isinstance(high, Decimal) and high < low:
        raise ChangeRefused(_("The maximum must be the same as or more than the minimum"))
    if question.other_label and "other_label" in values and not values["other_label"]:
        refuse_if_answered(
            answered,
            _(
                "You cannot remove the \u201cOther\u201d choice because people have already "
                "responded: their answers would lose their meaning. Change the wording instead, "
                "or close this consultation and duplicate it to make a new version."
            ),
        )
    for name in QUESTION_FIELDS:
        if name in values:
            setattr(question, name, values[name])
    question.outcomes = list(
        db.session.scalars(sa.select(Outcome).where(Outcome.id.in_(outcome_ids)))
    )
    question.indicators = list(
        db.session.scalars(sa.select(Indicator).where(Indicator.id.in_(indicator_ids)))
    )
    added = apply_option_edits(question, options, answered=answered) if options else []
    db.session.commit()
    return added


def move_question(question: Question, step: int) -> None:
    """Up or down one place; past the top or bottom of its page onto the neighbouring page."""
    page = question.page
    consultation = question.consultation
    siblings = list(page.questions)
    index = siblings.index(question)
    target = index + step
    if 0 <= target < len(siblings):
        siblings[index], siblings[target] = siblings[target], siblings[index]
        for position, item in enumerate(siblings, start=1):
            item.position = position
        page.questions.sort(key=lambda q: q.position)
    else:
        pages = list(consultation.pages)
        neighbour_index = pages.index(page) + step
        if not 0 <= neighbour_index < len(pages):
            return
        neighbour = pages[neighbour_index]
        move_question_to_page(question, neighbour, at_start=step > 0, commit=False)
    check_conditions_still_read_earlier_pages(list(consultation.pages))
    db.session.commit()


def move_question_to_page(
    question: Question, page: Page, at_start: bool = False, commit: bool = True
) -> None:
    old = question.page
    if old is page:
        return
    old.questions.remove(question)
    for position, item in enumerate(old.questions, start=1):
        item.position = position
    items = [question, *page.questions] if at_start else [*page.questions, question]
    page.questions[:] = items
    for position, item in enumerate(items, start=1):
        item.position = position
    if commit:
        check_conditions_still_read_earlier_pages(list(question.consultation.pages))
        db.session.commit()


def delete_question(question: Question, *, answered: bool) -> None:
    """`answered`: whether anyone has responded (rules.refuse_if_answered)."""
    refuse_if_answered(
        answered,
        _(
            "You cannot delete a question because people have already responded: their answers "
            "would lose their meaning. Change the wording instead, or close this consultation "
            "and duplicate it to make a new version."
        ),
    )
    if conditions_reading(question):
        raise ChangeRefused(
            _(
                "Other pages or questions are shown depending on this question's answer. "
                "Remove those conditions first."
            )
        )
    page = question.page
    page.questions.remove(question)  # delete-orphan: the question row goes at the flush
    for position, item in enumerate(page.questions, start=1):
        item.position = position
    db.session.commit()


def linked_ids(question: Question) -> tuple[set[int], set[int]]:
    """The ids of the outcomes and of the indicators the question informs."""
    outcomes = sa.select(question_outcome.c.outcome_id).where(
        question_outcome.c.question_id == question.id
    )
    indicators = sa.select(question_indicator.c.indicator_id).where(
        question_indicator.c.question_id == question.id
    )
    return set(db.session.scalars(outcomes)), set(db.session.scalars(indicators))

"""Officers build consultations: details, pages, questions, options, routing, publishing.

Rules held here, whatever the view:
- every change bumps `structure_version` in the same transaction, so every app server's cached
  copy of the consultation is replaced on its next request, and the next response gets a new
  snapshot of the wording;
- once a consultation has responses, nothing that would change what stored answers mean is
  allowed: questions and options cannot be removed, and a question's type never changes (there
  is no way to retype one). Wording can still be corrected; each response keeps pointing at the
  snapshot of the wording its respondent saw, and the results say when wording changed;
- a display condition only reads a choice question on an earlier page.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from portal.consultations.models import (
    ConditionOperator,
    Consultation,
    ConsultationStatus,
    DisplayCondition,
    Option,
    OptionKind,
    Page,
    Question,
    QuestionType,
    question_indicator,
    question_outcome,
)
from portal.consultations.question_types import kind_for, kind_of
from portal.extensions import db
from portal.responses.models import Response
from portal.strategy.models import Indicator, Outcome

MAX_KEY_LENGTH = 60


class ChangeRefused(Exception):
    """A change that would break the consultation or the meaning of stored answers."""


class OptionRefused(ChangeRefused):
    """An option cannot be removed; `option_value` says which, so the form can say it there."""

    def __init__(self, message: str, option_value: str) -> None:
        super().__init__(message)
        self.option_value = option_value


def slugify(text: str, separator: str = "-", limit: int = MAX_KEY_LENGTH) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", separator, ascii_text.lower()).strip(separator)
    return slug[:limit].strip(separator) or "item"


def unique_name(base: str, taken: set[str], separator: str) -> str:
    candidate, number = base, 2
    while candidate in taken:
        suffix = f"{separator}{number}"
        candidate = base[: MAX_KEY_LENGTH - len(suffix)] + suffix
        number += 1
    return candidate


def has_responses(consultation: Consultation) -> bool:
    return (
        db.session.scalar(sa.select(sa.exists().where(Response.consultation_id == consultation.id)))
        or False
    )


def _changed(consultation: Consultation) -> None:
    consultation.structure_version = (consultation.structure_version or 0) + 1


def _refuse_if_answered(consultation: Consultation, what: str) -> None:
    if has_responses(consultation):
        raise ChangeRefused(
            f"You cannot {what} because people have already responded: their answers would "
            "lose their meaning. Change the wording instead, or close this consultation and "
            "duplicate it to make a new version."
        )


# Details -------------------------------------------------------------------------------------

DETAIL_FIELDS = (
    "title",
    "timing_note",
    "summary",
    "audience",
    "who_for",
    "what_happens",
    "privacy_notice",
    "help_text",
    "safeguarding_terms",
    "estimated_minutes",
    "retention_months",
    "opens_on",
    "closes_on",
    "panel_link",
)


def check_dates(opens_on: date | None, closes_on: date | None) -> None:
    if opens_on and closes_on and closes_on < opens_on:
        raise ChangeRefused("The closing date must be the same as or after the opening date")


def create_consultation(**details: Any) -> Consultation:
    check_dates(details.get("opens_on"), details.get("closes_on"))
    taken = set(db.session.scalars(sa.select(Consultation.slug)))
    consultation = Consultation(
        slug=unique_name(slugify(details["title"], limit=90), taken, "-"),
        status=ConsultationStatus.DRAFT,
        **{name: details.get(name) for name in DETAIL_FIELDS if details.get(name) is not None},
    )
    consultation.pages.append(Page(position=1, title=None))
    db.session.add(consultation)
    db.session.commit()
    return consultation


def update_details(consultation: Consultation, **details: Any) -> None:
    check_dates(details.get("opens_on"), details.get("closes_on"))
    for name in DETAIL_FIELDS:
        if name in details:
            setattr(consultation, name, details[name])
    _changed(consultation)
    db.session.commit()


# Pages ---------------------------------------------------------------------------------------


def add_page(consultation: Consultation, title: str | None = None) -> Page:
    page = Page(position=len(consultation.pages) + 1, title=title or None)
    consultation.pages.append(page)
    _changed(consultation)
    db.session.commit()
    return page


def rename_page(page: Page, title: str | None) -> None:
    page.title = title or None
    _changed(page.consultation)
    db.session.commit()


def _renumber_pages(consultation: Consultation, order: list[Page]) -> None:
    """Give pages the positions 1..n in this order, without ever repeating a position."""
    for page in order:
        page.position = -page.position - 1000  # clear of every real position
    db.session.flush()
    for position, page in enumerate(order, start=1):
        page.position = position
    db.session.flush()
    consultation.pages.sort(key=lambda p: p.position)


def move_page(page: Page, step: int) -> None:
    consultation = page.consultation
    order = list(consultation.pages)
    index = order.index(page)
    target = index + step
    if not 0 <= target < len(order):
        return
    order[index], order[target] = order[target], order[index]
    _check_conditions_still_read_earlier_pages(order)
    _renumber_pages(consultation, order)
    _changed(consultation)
    db.session.commit()


def delete_page(page: Page) -> None:
    consultation = page.consultation
    if page.questions:
        raise ChangeRefused("Move or delete this page's questions before deleting the page")
    if len(consultation.pages) == 1:
        raise ChangeRefused("A consultation needs at least one page")
    order = [p for p in consultation.pages if p is not page]
    consultation.pages.remove(page)  # delete-orphan: the page row goes at the flush
    db.session.flush()
    _renumber_pages(consultation, order)
    _changed(consultation)
    db.session.commit()


# Questions -----------------------------------------------------------------------------------


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
    _changed(consultation)
    db.session.commit()
    return question


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


def save_question(
    question: Question,
    values: dict[str, Any],
    outcome_ids: list[int],
    indicator_ids: list[int],
    options: OptionEdits | None = None,
) -> list[Option]:
    """Save the question's settings, the outcomes and indicators it informs, and its options,
    in one transaction: a refusal anywhere changes nothing. Returns the options added."""
    low, high = values.get("min_value"), values.get("max_value")
    if isinstance(low, Decimal) and isinstance(high, Decimal) and high < low:
        raise ChangeRefused("The maximum must be the same as or more than the minimum")
    if question.other_label and "other_label" in values and not values["other_label"]:
        _refuse_if_answered(question.consultation, "remove the \u201cOther\u201d choice")
    for name in QUESTION_FIELDS:
        if name in values:
            setattr(question, name, values[name])
    # Links change the results page only, not the wording.
    question.outcomes = list(
        db.session.scalars(sa.select(Outcome).where(Outcome.id.in_(outcome_ids)))
    )
    question.indicators = list(
        db.session.scalars(sa.select(Indicator).where(Indicator.id.in_(indicator_ids)))
    )
    added = _apply_option_edits(question, options) if options else []
    _changed(question.consultation)
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
    _check_conditions_still_read_earlier_pages(list(consultation.pages))
    _changed(consultation)
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
        _check_conditions_still_read_earlier_pages(list(question.consultation.pages))
        _changed(question.consultation)
        db.session.commit()


def delete_question(question: Question) -> None:
    consultation = question.consultation
    _refuse_if_answered(consultation, "delete a question")
    readers = _conditions_reading(question)
    if readers:
        raise ChangeRefused(
            "Other pages or questions are shown depending on this question's answer. "
            "Remove those conditions first."
        )
    page = question.page
    page.questions.remove(question)  # delete-orphan: the question row goes at the flush
    for position, item in enumerate(page.questions, start=1):
        item.position = position
    _changed(consultation)
    db.session.commit()


# Options and statements -----------------------------------------------------------------------


@dataclass
class OptionEdits:
    """One save of a question's options and statements: every label as typed, the new ones,
    and at most one option removed or moved, applied together so nothing typed is lost."""

    labels: dict[Option, tuple[str, bool | None]] = field(default_factory=dict)
    added: list[tuple[OptionKind, str, bool]] = field(default_factory=list)
    remove: Option | None = None
    move: tuple[Option, int] | None = None


def _apply_option_edits(question: Question, edits: OptionEdits) -> list[Option]:
    for option, (label, exclusive) in edits.labels.items():
        option.label = label
        if exclusive is not None:
            option.exclusive = exclusive
    added = [
        _add_option(question, label, kind, exclusive) for kind, label, exclusive in edits.added
    ]
    # One press is one button: a form posting both (only a crafted one can) removes, and the
    # option it removed has nothing left to move among.
    if edits.remove is not None:
        _remove_option(edits.remove)
    elif edits.move is not None:
        _move_option(*edits.move)
    return added


def _add_option(question: Question, label: str, kind: OptionKind, exclusive: bool) -> Option:
    taken = {o.value for o in question.options}
    option = Option(
        value=unique_name(slugify(label, "_", 40), taken, "_"),
        label=label,
        position=max((o.position for o in question.options), default=0) + 1,
        kind=kind,
        exclusive=exclusive,
    )
    question.options.append(option)
    return option


def _move_option(option: Option, step: int) -> None:
    question = option.question
    same_kind = [o for o in question.options if o.kind == option.kind]
    index = same_kind.index(option)
    target = index + step
    if not 0 <= target < len(same_kind):
        return
    other = same_kind[target]
    option.position, other.position = other.position, option.position
    question.options.sort(key=lambda o: o.position)


def _remove_option(option: Option) -> None:
    question = option.question
    try:
        _refuse_if_answered(question.consultation, "delete an option")
    except ChangeRefused as refusal:
        raise OptionRefused(str(refusal), option.value) from None
    if db.session.scalar(sa.select(sa.exists().where(DisplayCondition.option_id == option.id))):
        raise OptionRefused(
            "A page or question is shown depending on this option. Remove that condition first.",
            option.value,
        )
    same_kind = [o for o in question.options if o.kind == option.kind]
    if len(same_kind) <= 1 and kind_of(question).uses_choices:
        raise OptionRefused("A question needs at least one option", option.value)
    question.options.remove(option)  # delete-orphan: the option row goes at the flush


# Routing ------------------------------------------------------------------------------------


def _page_index(consultation: Consultation) -> dict[int, int]:
    return {q.id: index for index, page in enumerate(consultation.pages) for q in page.questions}


def _conditions_reading(question: Question) -> list[DisplayCondition]:
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
        raise ChangeRefused("A condition can only read a choice question on an earlier page")
    condition = DisplayCondition(
        consultation=consultation,
        source_question=option.question,
        operator=operator,
        option=option,
    )
    target.conditions.append(condition)
    _changed(consultation)
    db.session.commit()
    return condition


def delete_condition(condition: DisplayCondition) -> None:
    consultation = condition.consultation
    db.session.delete(condition)
    _changed(consultation)
    db.session.commit()


def _check_conditions_still_read_earlier_pages(order: list[Page]) -> None:
    index = {q.id: i for i, page in enumerate(order) for q in page.questions}
    for page_index, page in enumerate(order):
        conditions = [*page.conditions, *(c for q in page.questions for c in q.conditions)]
        for condition in conditions:
            if index.get(condition.source_question_id, page_index) >= page_index:
                db.session.rollback()
                raise ChangeRefused(
                    "That move would put a question before the answer it depends on. "
                    "Remove the condition first, or move the other question too."
                )


# Publishing ---------------------------------------------------------------------------------


def problems_before_publishing(consultation: Consultation) -> list[str]:
    """What stops the consultation being published, in words an officer can act on."""
    problems = []
    asking = [q for q in consultation.questions if kind_of(q).asks]
    if not asking:
        problems.append("Add at least one question")
    for page in consultation.pages:
        if not page.questions:
            problems.append(f"Page {page.position} has no questions: add one or delete the page")
        elif len(page.questions) > 1 and not page.title:
            problems.append(f"Page {page.position} has several questions, so it needs a title")
    for question in consultation.questions:
        kind = kind_of(question)
        if kind.uses_choices and not question.choices:
            problems.append(f"\u201c{question.text}\u201d needs at least one option")
        if kind.uses_statements and not question.statements:
            problems.append(f"\u201c{question.text}\u201d needs at least one statement")
    if not consultation.privacy_notice.strip():
        problems.append("Add a privacy notice")
    return problems


def publish(consultation: Consultation, today: date) -> None:
    problems = problems_before_publishing(consultation)
    if problems:
        raise ChangeRefused("; ".join(problems))
    consultation.status = ConsultationStatus.OPEN
    if consultation.opens_on is None:
        consultation.opens_on = today
    _changed(consultation)
    db.session.commit()


def close(consultation: Consultation, today: date) -> None:
    consultation.status = ConsultationStatus.CLOSED
    if consultation.closes_on is None or consultation.closes_on > today:
        consultation.closes_on = today
    _changed(consultation)
    db.session.commit()


def reopen(consultation: Consultation, today: date, closes_on: date | None) -> None:
    if closes_on is not None and closes_on < today:
        raise ChangeRefused("The new closing date must be today or later")
    consultation.status = ConsultationStatus.OPEN
    consultation.closes_on = closes_on
    _changed(consultation)
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

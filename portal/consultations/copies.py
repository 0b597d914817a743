"""Copies of a consultation: a duplicate to start a new one from, or the next wave of a series.

A copy has the same details, pages, questions (with their keys), options (with their values),
routing and links to the strategy's outcomes, indicators and key tasks. Keys and values are what
make a question and an answer the same across waves, so they are copied as they are.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa

from portal.consultations.builder import (
    DETAIL_FIELDS,
    QUESTION_FIELDS,
    ChangeRefused,
    check_dates,
    unique_name,
)
from portal.consultations.models import (
    Consultation,
    ConsultationSeries,
    ConsultationStatus,
    DisplayCondition,
    Option,
    Page,
    Question,
)
from portal.extensions import db


def _copy(consultation: Consultation, slug_base: str) -> Consultation:
    """A new draft with everything but its dates; added to the session, not committed."""
    taken = set(db.session.scalars(sa.select(Consultation.slug)))
    copy = Consultation(
        slug=unique_name(slug_base[:90], taken, "-"),
        status=ConsultationStatus.DRAFT,
        **{name: getattr(consultation, name) for name in DETAIL_FIELDS},
    )
    copy.opens_on = copy.closes_on = None
    copy.key_tasks = list(consultation.key_tasks)
    questions: dict[int, Question] = {}
    options: dict[int, Option] = {}
    for page in consultation.pages:
        new_page = Page(position=page.position, title=page.title)
        copy.pages.append(new_page)
        for question in page.questions:
            new_question = Question(
                consultation=copy,
                key=question.key,
                position=question.position,
                type=question.type,
                **{name: getattr(question, name) for name in QUESTION_FIELDS},
            )
            new_question.outcomes = list(question.outcomes)
            new_question.indicators = list(question.indicators)
            for option in question.options:
                new_option = Option(
                    position=option.position,
                    value=option.value,
                    label=option.label,
                    hint=option.hint,
                    exclusive=option.exclusive,
                    scale_weight=option.scale_weight,
                    kind=option.kind,
                )
                new_question.options.append(new_option)
                options[option.id] = new_option
            new_page.questions.append(new_question)
            questions[question.id] = new_question
    for page, new_page in zip(consultation.pages, copy.pages, strict=True):
        targets: list[tuple[Any, Any]] = [(page, new_page)]
        targets += [(q, questions[q.id]) for q in page.questions]
        for original, new_target in targets:
            for condition in original.conditions:
                new_target.conditions.append(
                    DisplayCondition(
                        consultation=copy,
                        source_question=questions[condition.source_question_id],
                        operator=condition.operator,
                        option=options[condition.option_id],
                    )
                )
    db.session.add(copy)
    return copy


def duplicate(consultation: Consultation) -> Consultation:
    """A new draft to start another consultation from; it belongs to no series."""
    copy = _copy(consultation, f"{consultation.slug[:80]}-copy")
    copy.title = f"{consultation.title} (copy)"[:200]
    db.session.commit()
    return copy


def next_wave_number(consultation: Consultation) -> int:
    if consultation.series is None:
        return 2
    return max(wave.wave_number or 0 for wave in consultation.series.waves) + 1


def new_wave(
    consultation: Consultation, title: str, opens_on: date | None, closes_on: date | None
) -> Consultation:
    """The next wave of the consultation's series, as a draft with its own dates; the
    consultation becomes wave 1 of a new series if it was run once. Not committed: the
    caller copies the distribution links in the same transaction."""
    check_dates(opens_on, closes_on)
    if not title.strip():
        raise ChangeRefused("Enter a title for the new wave")
    series = consultation.series
    if series is None:
        series = ConsultationSeries(name=consultation.title)
        db.session.add(series)
        consultation.series = series
        consultation.wave_number = 1
    number = next_wave_number(consultation)
    base = consultation.slug
    if consultation.wave_number and base.endswith(f"-wave-{consultation.wave_number}"):
        base = base.rsplit("-wave-", 1)[0]
    copy = _copy(consultation, f"{base[:80]}-wave-{number}")
    copy.title = title.strip()[:200]
    copy.opens_on, copy.closes_on = opens_on, closes_on
    copy.series = series
    copy.wave_number = number
    return copy

"""Copies of a consultation: a duplicate to start a new one from, or the next wave of a series.

A copy has the same details, pages, questions (with their keys), options (with their values),
routing and links to the strategy's outcomes, indicators and key tasks. Keys and values are what
make a question and an answer the same across waves, so they are copied as they are.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _

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
from portal.i18n import long_date


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


def latest_wave(consultation: Consultation) -> Consultation:
    """The wave a new one copies: the latest of the consultation's series, whichever wave the
    officer started from (the consultation itself when it has run once)."""
    if consultation.series is None:
        return consultation
    return max(consultation.series.waves, key=lambda wave: wave.wave_number or 0)


def next_wave_number(consultation: Consultation) -> int:
    return (latest_wave(consultation).wave_number or 1) + 1


def wave_date_problems(
    consultation: Consultation, opens_on: date | None, closes_on: date | None, today: date
) -> dict[str, str]:
    """What is wrong with the next wave's dates, by field ("opens_on", "closes_on").

    Waves follow one another: the new one opens after the latest closes, so residents answer
    one wave at a time (one link, one start page) and a change between waves is a change over
    time."""
    problems: dict[str, str] = {}
    try:
        check_dates(opens_on, closes_on)
    except ChangeRefused as refusal:
        problems["closes_on"] = str(refusal)
    source = latest_wave(consultation)
    number = next_wave_number(consultation)
    if source.status in (ConsultationStatus.DRAFT, ConsultationStatus.CLOSED):
        return problems
    if source.closes_on is None:
        problems["opens_on"] = (
            _(
                "Wave %(number)s must open after wave %(previous)s closes, and wave "
                "%(previous)s has no closing date: give it one, or close it, first",
                number=number,
                previous=number - 1,
            )
            if source.wave_number
            else _(
                "Wave %(number)s must open after the consultation closes, and the consultation "
                "has no closing date: give it one, or close it, first",
                number=number,
            )
        )
    elif (opens_on or today) <= source.closes_on:
        closes = long_date(source.closes_on)
        problems["opens_on"] = (
            _(
                "Wave %(number)s must open after wave %(previous)s closes on %(date)s",
                number=number,
                previous=number - 1,
                date=closes,
            )
            if source.wave_number
            else _(
                "Wave %(number)s must open after the consultation closes on %(date)s",
                number=number,
                date=closes,
            )
        )
    return problems


def new_wave(
    consultation: Consultation,
    title: str,
    opens_on: date | None,
    closes_on: date | None,
    today: date,
) -> Consultation:
    """The next wave of the consultation's series, copied from its latest wave, as a draft with
    its own dates; a consultation run once becomes wave 1 of a new series. Not committed: the
    caller copies the distribution links in the same transaction. ChangeRefused for what
    wave_date_problems finds, a blank title, or a latest wave still a draft."""
    source = latest_wave(consultation)
    number = next_wave_number(consultation)
    problems = wave_date_problems(consultation, opens_on, closes_on, today)
    if problems:
        raise ChangeRefused(" ".join(problems.values()))
    if not title.strip():
        raise ChangeRefused(_("Enter a title for the new wave"))
    if source.status == ConsultationStatus.DRAFT:
        raise ChangeRefused(
            _("Wave %(number)s is still a draft: publish it before the next", number=number - 1)
        )
    series = source.series
    if series is None:
        series = ConsultationSeries(name=source.title)
        db.session.add(series)
        source.series = series
        source.wave_number = 1
    base = source.slug
    if base.endswith(f"-wave-{source.wave_number}"):
        base = base.rsplit("-wave-", 1)[0]
    copy = _copy(source, f"{base[:80]}-wave-{number}")
    copy.title = title.strip()[:200]
    copy.opens_on, copy.closes_on = opens_on, closes_on
    copy.series = series
    copy.wave_number = number
    return copy

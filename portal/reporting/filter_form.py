"""The results filter as a form: what a consultation's responses can be filtered by, and the
filter a query string asks for, checked against it (reporting.filters holds the filter)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import MultiDict

from portal.areas.models import DECILES
from portal.consultations.models import Consultation, Option, Question, QuestionType
from portal.consultations.question_types import ResultsKind, kind_of
from portal.extensions import db
from portal.forms import MISSING_DATE_PARTS
from portal.i18n import ENGLISH, LANGUAGES
from portal.panel.models import PanelGroup
from portal.reporting import results_index
from portal.reporting.filters import (
    ANSWER,
    DATE_FIELDS,
    DATE_PARTS,
    DECILE,
    DISTRICT,
    GIVEN_DISTRICT,
    GROUP,
    LANGUAGE,
    LINK,
    TYPE,
    Chosen,
    DateError,
    ResponseFilter,
    decile_label,
    language_name,
)
from portal.reporting.respondent_types import RespondentType
from portal.schools.models import DistributionChannel, District, School


@dataclass(frozen=True)
class FilterChoices:
    """Everything a consultation's responses can be filtered by, for the form and for checking
    what a URL asks for."""

    links: list[DistributionChannel]
    groups: list[PanelGroup]
    questions: list[Question]  # the choice questions
    # Whether responses can be read by their area's deprivation decile: the consultation asks
    # for a postcode (report 3.3c: "the more economically deprived communities").
    by_area: bool = False
    # The question asking which district (district_question), if the consultation has one.
    district_question: Question | None = None
    # The codes of the languages its responses were given in, English first.
    languages: tuple[str, ...] = (ENGLISH,)

    @property
    def by_language(self) -> bool:
        """Whether responses can be told apart by language: some were given in another."""
        return len(self.languages) > 1

    @property
    def districts(self) -> list[District]:
        return list(District)

    @property
    def types(self) -> list[RespondentType]:
        return list(RespondentType)

    # (query-string value, label) pairs for the form's checkboxes.
    def type_items(self) -> list[tuple[str, str]]:
        return [(kind.value, kind.label) for kind in self.types]

    def district_items(self) -> list[tuple[str, str]]:
        return [(district.value, district.label) for district in self.districts]

    def given_district_items(self) -> list[tuple[str, str]]:
        """The district question's options that are districts ("I'm not sure" is not one)."""
        return [
            (value, chosen.option.shown_label) for value, chosen in self.given_districts().items()
        ]

    def given_districts(self) -> dict[str, Chosen]:
        """Query-string value (the option's) -> the answer it looks for."""
        question = self.district_question
        if question is None:
            return {}
        return {o.value: Chosen(question, o) for o in question.choices if _district_of(o)}

    def link_items(self) -> list[tuple[str, str]]:
        return [(str(link.id), link.name) for link in self.links]

    def group_items(self) -> list[tuple[str, str]]:
        return [(str(group.id), group.name) for group in self.groups]

    def language_items(self, also: tuple[str, ...] = ()) -> list[tuple[str, str]]:
        """The languages answered in, and any others `also` filters by (a stale bookmark)."""
        codes = dict.fromkeys([*self.languages, *also])
        return [(code, language_name(code)) for code in codes]

    def known_languages(self) -> dict[str, str]:
        """Query-string value -> code: the portal's languages and any answered in."""
        return {code: code for code in [*LANGUAGES, *self.languages]}

    def decile_items(self) -> list[tuple[str, str]]:
        return [(str(decile), decile_label(decile)) for decile in DECILES] if self.by_area else []

    def answer_items(self, question: Question) -> list[tuple[str, str]]:
        return [
            (f"{question.key}:{option.value}", option.shown_label)
            for option in question.counted_choices
        ]


def filter_choices(consultation: Consultation) -> FilterChoices:
    links = db.session.scalars(
        sa.select(DistributionChannel)
        .outerjoin(School, School.id == DistributionChannel.school_id)
        .where(DistributionChannel.consultation_id == consultation.id)
        .order_by(DistributionChannel.school_id.is_(None), DistributionChannel.name)
    ).all()
    groups = db.session.scalars(sa.select(PanelGroup).order_by(PanelGroup.name)).all()
    return FilterChoices(
        links=list(links),
        groups=list(groups),
        questions=choice_questions(consultation),
        by_area=any(q.type == QuestionType.POSTCODE_SECTOR for q in consultation.questions),
        district_question=district_question(consultation),
        languages=languages_answered(consultation),
    )


def languages_answered(consultation: Consultation) -> tuple[str, ...]:
    """The languages the consultation's responses were given in: the portal's in its order
    (English first), then any it no longer has. English alone when there are none yet."""
    found = results_index.languages_answered(consultation.id) or {ENGLISH}
    order = {code: position for position, code in enumerate(LANGUAGES)}
    return tuple(sorted(found, key=lambda code: (order.get(code, len(order)), code)))


def district_question(consultation: Consultation) -> Question | None:
    """The consultation's question asking for a district: the first single choice question
    with an option for each of Warwickshire's districts ("Which district do you live in?",
    "Which district is your child's school in?")."""
    for question in consultation.questions:
        if question.type == QuestionType.SINGLE_CHOICE and set(District) <= {
            _district_of(option) for option in question.choices
        }:
            return question
    return None


def _district_of(option: Option) -> District | None:
    """The district an option names, by its value or its label ("stratford" or
    "Stratford-on-Avon")."""
    for district in District:
        if option.value == district.value or option.label.casefold() == district.label.casefold():
            return district
    return None


def choice_questions(consultation: Consultation) -> list[Question]:
    """Questions whose answers are options (single and multiple choice, scales, ratings)."""
    return [q for q in consultation.questions if kind_of(q).results == ResultsKind.CHOICES]


# The date boxes as an error names them, and what each error says of them: the GOV.UK
# messages, about "the 'sent on or after' date" rather than the bare legend, which reads as
# a sentence of its own ("Sent on or after must be ...").
_DATE_NAMES = {
    "from": _l("The \u201csent on or after\u201d date"),
    "to": _l("The \u201csent on or before\u201d date"),
}


def _typed_date(
    args: MultiDict[str, str], name: str
) -> tuple[dict[str, str], date | None, DateError | None]:
    """One GOV.UK date (three boxes) from the query string: what was typed, the date, and
    what is wrong when something was typed that is not a date."""
    typed = {part: args.get(f"{name}-{part}", "").strip()[:4] for part in DATE_PARTS}
    if not any(typed.values()):
        return typed, None, None
    named = {"date": _DATE_NAMES[name]}
    missing = tuple(part for part in DATE_PARTS if not typed[part])
    if missing:
        said = str(MISSING_DATE_PARTS[missing]) % {"field": _DATE_NAMES[name]}
        return typed, None, DateError(said, missing)
    try:
        day = date(int(typed["year"]), int(typed["month"]), int(typed["day"]))
    except (ValueError, OverflowError):
        error = _("%(date)s must be a real date, like 27 3 2026", **named)
        return typed, None, DateError(error, DATE_PARTS)
    if day.year < 2000:
        error = _("%(date)s must have a four-digit year, like 2026", **named)
        return typed, None, DateError(error, ("year",))
    return typed, day, None


# What a query string asked to filter by that the consultation does not have, by the
# query-string name (a KeyError for a name added without its message).
_NO_SUCH = {
    DISTRICT: _l("There is no district \u201c%(value)s\u201d to filter by"),
    GIVEN_DISTRICT: _l("There is no district given \u201c%(value)s\u201d to filter by"),
    LINK: _l("There is no link \u201c%(value)s\u201d to filter by"),
    GROUP: _l("There is no panel group \u201c%(value)s\u201d to filter by"),
    TYPE: _l("There is no respondent type \u201c%(value)s\u201d to filter by"),
    LANGUAGE: _l("There is no language \u201c%(value)s\u201d to filter by"),
    ANSWER: _l("There is no answer \u201c%(value)s\u201d to filter by"),
    DECILE: _l("There is no decile \u201c%(value)s\u201d to filter by"),
}


def parse_filter(args: MultiDict[str, str], choices: FilterChoices) -> ResponseFilter:
    """The filter a query string asks for. Values the consultation does not have are left out
    and said in `errors`: a stale bookmark or an edited URL narrows nothing by surprise."""
    errors: list[str] = []

    def pick(name: str, known: dict[str, Any]) -> tuple[Any, ...]:
        found = []
        for value in dict.fromkeys(args.getlist(name)):
            if value in known:
                found.append(known[value])
            else:
                errors.append(str(_NO_SUCH[name]) % {"value": value[:40]})
        return tuple(found)

    districts = pick(DISTRICT, {d.value: d for d in choices.districts})
    given_districts = pick(GIVEN_DISTRICT, choices.given_districts())
    links = pick(LINK, {str(link.id): link for link in choices.links})
    groups = pick(GROUP, {str(g.id): g for g in choices.groups})
    types = pick(TYPE, {t.value: t for t in choices.types})
    languages = pick(LANGUAGE, choices.known_languages())
    options = {
        f"{q.key}:{o.value}": Chosen(q, o) for q in choices.questions for o in q.counted_choices
    }
    answers = pick(ANSWER, options)
    deciles = pick(DECILE, {value: int(value) for value, _label in choices.decile_items()})
    typed_dates: dict[str, dict[str, str]] = {}
    date_errors: dict[str, DateError] = {}
    dates: dict[str, date | None] = {}
    for name in DATE_FIELDS:
        typed, day, error = _typed_date(args, name)
        dates[name] = day
        if error:
            errors.append(error.message)
            typed_dates[name] = typed
            date_errors[name] = error
    if dates["from"] and dates["to"] and dates["from"] > dates["to"]:
        # Said at the later boxes, as GOV.UK says a date that must come after another; both
        # dates are shown back as typed, and neither is used.
        reversed_dates = DateError(
            _(
                "The \u201csent on or before\u201d date must be the same as or after the "
                "\u201csent on or after\u201d date"
            ),
            DATE_PARTS,
        )
        errors.append(reversed_dates.message)
        date_errors["to"] = reversed_dates
        typed_dates = {name: _typed_date(args, name)[0] for name in DATE_FIELDS}
        dates = {"from": None, "to": None}
    return ResponseFilter(
        districts=districts,
        links=links,
        groups=groups,
        types=types,
        languages=languages,
        submitted_from=dates["from"],
        submitted_to=dates["to"],
        answers=answers,
        deciles=tuple(sorted(deciles)),
        given_districts=given_districts,
        errors=tuple(errors),
        typed_dates=typed_dates,
        date_errors=date_errors,
    )

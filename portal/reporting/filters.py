"""Which responses a results view counts: filters kept in the URL's query string.

A filter is read from the query string (so a filtered view can be shared, bookmarked and reached
with Back), checked against what the consultation really has, and turned into SQL conditions on
the response table. Within one kind of filter any value may match (Rugby or Warwick); different
kinds must all match (Rugby, and a school's link, and "bullied online").
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa
from werkzeug.datastructures import MultiDict

from portal.areas.models import DECILES, AreaDeprivation
from portal.clock import uk_midnight_in_utc
from portal.consultations.models import Consultation, Option, Question, QuestionType
from portal.consultations.question_types import ResultsKind, kind_of
from portal.extensions import db
from portal.panel.models import PanelGroup
from portal.reporting.respondent_types import RespondentType, type_condition
from portal.responses.models import Answer, Response, response_group
from portal.schools.models import DistributionChannel, District, School

# Query-string names: short, readable in a shared link, and stable (bookmarks depend on them).
DISTRICT, LINK, GROUP, TYPE, ANSWER = "district", "link", "group", "type", "answer"
# The district a respondent gave in answer to the consultation's district question; "district"
# above is the district of the school whose link they came by, or of their panel record.
GIVEN_DISTRICT = "given-district"
DISTRICT_OF_RECORD_LABEL = "District of the school or panel member"
GIVEN_DISTRICT_LABEL = "District the respondent gave"
DECILE = "decile"
DATE_FIELDS = ("from", "to")
DATE_PARTS = ("day", "month", "year")


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
    )


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


def decile_label(decile: int) -> str:
    """Deciles as the Index of Multiple Deprivation numbers them: 1 is the most deprived."""
    if decile == 1:
        return "1 (most deprived 10% of areas)"
    if decile == 10:
        return "10 (least deprived 10% of areas)"
    return str(decile)


def choice_questions(consultation: Consultation) -> list[Question]:
    """Questions whose answers are options (single and multiple choice, scales, ratings)."""
    return [q for q in consultation.questions if kind_of(q).results == ResultsKind.CHOICES]


@dataclass(frozen=True)
class Chosen:
    """One answer a filter looks for: this option of this question."""

    question: Question
    option: Option


@dataclass(frozen=True)
class ResponseFilter:
    districts: tuple[District, ...] = ()
    links: tuple[DistributionChannel, ...] = ()
    groups: tuple[PanelGroup, ...] = ()
    types: tuple[RespondentType, ...] = ()
    submitted_from: date | None = None
    submitted_to: date | None = None
    answers: tuple[Chosen, ...] = ()
    # The deprivation deciles of the areas (postcode sectors) respondents gave.
    deciles: tuple[int, ...] = ()
    # Answers to the district question: the district the respondent gave.
    given_districts: tuple[Chosen, ...] = ()
    # What the query string asked for that could not be used, said to the officer.
    errors: tuple[str, ...] = field(default=(), compare=False)
    # The date boxes as typed, so a mistyped date is shown back to be corrected.
    typed_dates: dict[str, dict[str, str]] = field(default_factory=dict, compare=False)
    # Ranges of response ids [low, high) that SQL counts are kept to (None for an open end):
    # the ones the results index does not cover (results_index.Matched.rest). None: all.
    within: tuple[tuple[int | None, int | None], ...] | None = field(default=None, compare=False)

    @property
    def active(self) -> bool:
        return bool(
            self.districts
            or self.links
            or self.groups
            or self.types
            or self.submitted_from
            or self.submitted_to
            or self.answers
            or self.deciles
            or self.given_districts
        )

    # -- SQL -------------------------------------------------------------------------------

    def conditions(self) -> list[sa.ColumnElement[bool]]:
        """Conditions on the response table; an empty list when nothing is filtered."""
        found: list[sa.ColumnElement[bool]] = []
        if self.districts:
            values = [d.value for d in self.districts]
            found.append(
                sa.or_(
                    Response.profile_district.in_(values),
                    Response.distribution_channel_id.in_(
                        sa.select(DistributionChannel.id)
                        .join(School, School.id == DistributionChannel.school_id)
                        .where(School.district.in_(list(self.districts)))
                    ),
                )
            )
        if self.links:
            found.append(Response.distribution_channel_id.in_([link.id for link in self.links]))
        # The subqueries below are also kept to `within` on their own response column: the
        # planner may read the subquery's rows for every response rather than probe it per
        # response, and then it reads only those of the ids being counted.
        if self.groups:
            found.append(
                sa.exists().where(
                    response_group.c.response_id == Response.id,
                    response_group.c.group_id.in_([group.id for group in self.groups]),
                    self.id_ranges(response_group.c.response_id),
                )
            )
        if self.types:
            found.append(sa.or_(*(type_condition(kind) for kind in self.types)))
        if self.submitted_from:
            found.append(Response.submitted_at >= uk_midnight_in_utc(self.submitted_from))
        if self.submitted_to:
            next_day = self.submitted_to + timedelta(days=1)
            found.append(Response.submitted_at < uk_midnight_in_utc(next_day))
        # The district given is an answer like any other, but its own kind of filter: "gave
        # Rugby" and "answered Yes to being bullied" must both hold.
        for chosen_answers in (self.given_districts, self.answers):
            by_question: dict[int, list[int]] = defaultdict(list)
            for chosen in chosen_answers:
                by_question[chosen.question.id].append(chosen.option.id)
            for question_id, option_ids in by_question.items():
                found.append(
                    sa.exists().where(
                        Answer.response_id == Response.id,
                        Answer.question_id == question_id,
                        Answer.option_id.in_(option_ids),
                        self.id_ranges(Answer.response_id),
                    )
                )
        if self.deciles:
            found.append(
                sa.exists().where(
                    Answer.response_id == Response.id,
                    Answer.question_id.in_(
                        sa.select(Question.id).where(Question.type == QuestionType.POSTCODE_SECTOR)
                    ),
                    Answer.text.in_(
                        sa.select(AreaDeprivation.sector).where(
                            AreaDeprivation.decile.in_(self.deciles)
                        )
                    ),
                )
            )
        if self.within is not None:
            found.append(self.id_ranges(Response.id))
        return found

    def id_ranges(self, response_id: Any) -> sa.ColumnElement[bool]:
        """`within` as a condition on a response id column (always true without it)."""
        if self.within is None:
            return sa.true()
        ranges = [
            sa.and_(
                *([response_id >= low] if low is not None else []),
                *([response_id < high] if high is not None else []),
            )
            for low, high in self.within
        ]
        return sa.or_(*ranges) if ranges else sa.false()

    def response_ids(self, consultation_id: int) -> sa.Select[Any]:
        """The ids of this consultation's responses that match, as a subquery to select in."""
        return sa.select(Response.id).where(
            Response.consultation_id == consultation_id, *self.conditions()
        )

    def answer_conditions(
        self, consultation_id: int, response_id: Any = Answer.response_id
    ) -> list[sa.ColumnElement[bool]]:
        """Conditions on an answer table (or an alias's `response_id`): nothing without a
        filter, so unfiltered counts keep their indexes; else the matching responses only;
        and the `within` ranges either way."""
        if not self.active:
            return [] if self.within is None else [self.id_ranges(response_id)]
        found = [response_id.in_(self.response_ids(consultation_id))]
        if self.within is not None:
            # Also on the answers' own column, so the answers are read by a range of the
            # (response, question, option) index rather than all of the consultation's.
            found.append(self.id_ranges(response_id))
        return found

    # -- the URL ---------------------------------------------------------------------------

    def query_args(self) -> MultiDict[str, str]:
        """The query string that asks for this filter again."""
        args: MultiDict[str, str] = MultiDict()
        for district in self.districts:
            args.add(DISTRICT, district.value)
        for chosen in self.given_districts:
            args.add(GIVEN_DISTRICT, chosen.option.value)
        for link in self.links:
            args.add(LINK, str(link.id))
        for group in self.groups:
            args.add(GROUP, str(group.id))
        for kind in self.types:
            args.add(TYPE, kind.value)
        for name, day in (("from", self.submitted_from), ("to", self.submitted_to)):
            if day:
                args.add(f"{name}-day", str(day.day))
                args.add(f"{name}-month", str(day.month))
                args.add(f"{name}-year", str(day.year))
        for chosen in self.answers:
            args.add(ANSWER, f"{chosen.question.key}:{chosen.option.value}")
        for decile in self.deciles:
            args.add(DECILE, str(decile))
        return args

    def url_args(self, **keep: str) -> dict[str, Any]:
        """For url_for: each name with its list of values, plus any other values the page
        keeps in its query string (`keep`)."""
        args = self.query_args()
        return {**keep, **{name: args.getlist(name) for name in args}}

    def applied(self) -> list[tuple[str, str, ResponseFilter]]:
        """Each filter in force as (what kind, which value, the filter without it): the
        "remove" links of the summary above the results."""
        found: list[tuple[str, str, ResponseFilter]] = []
        for chosen in self.given_districts:
            rest_given = tuple(g for g in self.given_districts if g != chosen)
            found.append(
                (
                    GIVEN_DISTRICT_LABEL,
                    chosen.option.shown_label,
                    replace(self, given_districts=rest_given),
                )
            )
        for district in self.districts:
            rest = tuple(d for d in self.districts if d != district)
            found.append((DISTRICT_OF_RECORD_LABEL, district.label, replace(self, districts=rest)))
        for link in self.links:
            rest_links = tuple(x for x in self.links if x != link)
            found.append(("Link", link.name, replace(self, links=rest_links)))
        for group in self.groups:
            rest_groups = tuple(g for g in self.groups if g != group)
            found.append(("Panel group", group.name, replace(self, groups=rest_groups)))
        for kind in self.types:
            rest_types = tuple(t for t in self.types if t != kind)
            found.append(("Respondent type", kind.label, replace(self, types=rest_types)))
        if self.submitted_from:
            found.append(
                (
                    "Sent on or after",
                    _long_date(self.submitted_from),
                    replace(self, submitted_from=None),
                )
            )
        if self.submitted_to:
            found.append(
                (
                    "Sent on or before",
                    _long_date(self.submitted_to),
                    replace(self, submitted_to=None),
                )
            )
        for decile in self.deciles:
            rest_deciles = tuple(d for d in self.deciles if d != decile)
            found.append(
                (
                    "Deprivation decile of the area given",
                    decile_label(decile),
                    replace(self, deciles=rest_deciles),
                )
            )
        for chosen in self.answers:
            rest_answers = tuple(a for a in self.answers if a != chosen)
            found.append(
                (
                    f"Answered \u201c{chosen.question.text}\u201d",
                    chosen.option.shown_label,
                    replace(self, answers=rest_answers),
                )
            )
        return found

    def describe(self) -> str:
        """In words, for the audit log and the top of an export."""
        if not self.active:
            return "all responses"
        return "; ".join(f"{kind}: {value}" for kind, value, _ in self.applied())

    def selected(self, name: str) -> set[str]:
        """The values ticked in the form for one query-string name."""
        return set(self.query_args().getlist(name))

    def date_boxes(self, name: str) -> dict[str, str]:
        if name in self.typed_dates:
            return self.typed_dates[name]
        day = self.submitted_from if name == "from" else self.submitted_to
        if day is None:
            return {part: "" for part in DATE_PARTS}
        return {"day": str(day.day), "month": str(day.month), "year": str(day.year)}


def _long_date(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def _typed_date(args: MultiDict[str, str], name: str) -> tuple[dict[str, str], date | None, str]:
    """One GOV.UK date (three boxes) from the query string: what was typed, the date, and an
    error when something was typed that is not a date."""
    typed = {part: args.get(f"{name}-{part}", "").strip()[:4] for part in DATE_PARTS}
    if not any(typed.values()):
        return typed, None, ""
    label = "Sent on or after" if name == "from" else "Sent on or before"
    try:
        day = date(int(typed["year"]), int(typed["month"]), int(typed["day"]))
    except (ValueError, OverflowError):
        return typed, None, f"{label} must be a real date, like 27 3 2026"
    if day.year < 2000:
        return typed, None, f"{label} must have a four-digit year, like 2026"
    return typed, day, ""


def parse_filter(args: MultiDict[str, str], choices: FilterChoices) -> ResponseFilter:
    """The filter a query string asks for. Values the consultation does not have are left out
    and said in `errors`: a stale bookmark or an edited URL narrows nothing by surprise."""
    errors: list[str] = []

    def pick(name: str, known: dict[str, Any], what: str) -> tuple[Any, ...]:
        found = []
        for value in dict.fromkeys(args.getlist(name)):
            if value in known:
                found.append(known[value])
            else:
                errors.append(f"There is no {what} \u201c{value[:40]}\u201d to filter by")
        return tuple(found)

    districts = pick(DISTRICT, {d.value: d for d in choices.districts}, "district")
    given_districts = pick(GIVEN_DISTRICT, choices.given_districts(), "district given")
    links = pick(LINK, {str(link.id): link for link in choices.links}, "link")
    groups = pick(GROUP, {str(g.id): g for g in choices.groups}, "panel group")
    types = pick(TYPE, {t.value: t for t in choices.types}, "respondent type")
    options = {
        f"{q.key}:{o.value}": Chosen(q, o) for q in choices.questions for o in q.counted_choices
    }
    answers = pick(ANSWER, options, "answer")
    deciles = pick(DECILE, {value: int(value) for value, _ in choices.decile_items()}, "decile")
    typed_dates: dict[str, dict[str, str]] = {}
    dates: dict[str, date | None] = {}
    for name in DATE_FIELDS:
        typed, day, error = _typed_date(args, name)
        dates[name] = day
        if error:
            errors.append(error)
            typed_dates[name] = typed
    if dates["from"] and dates["to"] and dates["from"] > dates["to"]:
        errors.append("Sent on or before must be the same as or after sent on or after")
        typed_dates = {name: _typed_date(args, name)[0] for name in DATE_FIELDS}
        dates = {"from": None, "to": None}
    return ResponseFilter(
        districts=districts,
        links=links,
        groups=groups,
        types=types,
        submitted_from=dates["from"],
        submitted_to=dates["to"],
        answers=answers,
        deciles=tuple(sorted(deciles)),
        given_districts=given_districts,
        errors=tuple(errors),
        typed_dates=typed_dates,
    )


NO_FILTER = ResponseFilter()

"""Which responses a results view counts: filters kept in the URL's query string.

A filter is read from the query string (so a filtered view can be shared, bookmarked and reached
with Back) by reporting.filter_form, checked against what the consultation really has, and
turned here into SQL conditions on the response table. Within one kind of filter any value
may match (Rugby or Warwick); different kinds must all match (Rugby, and a school's link, and
"bullied online").
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import MultiDict

from portal.areas.models import AreaDeprivation
from portal.clock import uk_midnight_in_utc
from portal.consultations.models import Option, Question, QuestionType
from portal.extensions import db
from portal.i18n import LANGUAGES, STAFF_LANGUAGE, long_date
from portal.panel.models import PanelGroup
from portal.reporting.respondent_types import RespondentType, type_condition
from portal.responses.models import Answer, Response, response_group
from portal.schools.models import DistributionChannel, District, School

# Query-string names: short, readable in a shared link, and stable (bookmarks depend on them).
DISTRICT, LINK, GROUP, TYPE, ANSWER = "district", "link", "group", "type", "answer"
# The district a respondent gave in answer to the consultation's district question; "district"
# above is the district of the school whose link they came by, or of their panel record.
GIVEN_DISTRICT = "given-district"
DISTRICT_OF_RECORD_LABEL = _l("District of the school or panel member")
GIVEN_DISTRICT_LABEL = _l("District the respondent gave")
DECILE = "decile"
# The language a response was given in (portal/i18n.py), by its code: "language=pl".
LANGUAGE = "language"
LANGUAGE_LABEL = _l("Language answered in")
DATE_FIELDS = ("from", "to")
DATE_PARTS = ("day", "month", "year")


def decile_label(decile: int) -> str:
    """Deciles as the Index of Multiple Deprivation numbers them: 1 is the most deprived."""
    if decile == 1:
        return _("%(decile)s (most deprived 10%% of areas)", decile=decile)
    if decile == 10:
        return _("%(decile)s (least deprived 10%% of areas)", decile=decile)
    return str(decile)


def language_name(code: str) -> str:
    """A language as officers read it ("Polish"), or its code if the portal no longer has it."""
    language = LANGUAGES.get(code)
    return str(language.english_name) if language else code


@dataclass(frozen=True)
class Chosen:
    """One answer a filter looks for: this option of this question."""

    question: Question
    option: Option


@dataclass(frozen=True)
class DateError:
    message: str
    parts: tuple[str, ...]  # of DATE_PARTS


@dataclass(frozen=True)
class ResponseFilter:
    districts: tuple[District, ...] = ()
    links: tuple[DistributionChannel, ...] = ()
    groups: tuple[PanelGroup, ...] = ()
    types: tuple[RespondentType, ...] = ()
    # The languages responses were given in, by code (Response.language).
    languages: tuple[str, ...] = ()
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
    # What is wrong with a date ("from" or "to"), said again at its boxes, and which of its
    # boxes are wrong (only the year, when only the year is missing).
    date_errors: dict[str, DateError] = field(default_factory=dict, compare=False)
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
            or self.languages
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
        # The subqueries below are also kept to `within` on their own response column
        # (`_subquery_ranges`).
        if self.groups:
            found.append(
                sa.exists().where(
                    response_group.c.response_id == Response.id,
                    response_group.c.group_id.in_([group.id for group in self.groups]),
                    self._subquery_ranges(response_group.c.response_id),
                )
            )
        if self.types:
            found.append(sa.or_(*(type_condition(kind) for kind in self.types)))
        if self.languages:
            found.append(Response.language.in_(self.languages))
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
                        self._subquery_ranges(Answer.response_id),
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

    def _subquery_ranges(self, response_id: Any) -> sa.ColumnElement[bool]:
        """`within` on the response column of a subquery correlated to the response counted.
        PostgreSQL may read such a subquery's rows for every response at once (a semi-join),
        and the ranges keep that read to the ids being counted. SQLite probes it response by
        response, and given the ranges as an index term it scanned them for each response
        instead of looking the response up: with 10,000 responses beyond the last built
        range of 1,000,000, a filtered page's answer counts took 2.0-4.0 s that way and
        0.06-0.08 s with the ranges kept off the index ("+ 0")."""
        if db.engine.dialect.name == "sqlite":
            return self.id_ranges(response_id + 0)
        return self.id_ranges(response_id)

    def question_column(self, question_id: Any) -> Any:
        """An answer table's question column, for counting the answers of the responses
        `within` leaves to SQL. SQLite keeps no statistics and, given an equality on the
        question, read every answer to the question through its index rather than the few
        responses' answers by response id, even when the ranges held none: 1.17 s of a
        filtered page at 1,000,000 responses, against 3 ms by response id. There the column
        is kept off the index ("+ 0") whenever `within` is set; PostgreSQL's statistics
        choose for themselves."""
        if self.within is not None and db.engine.dialect.name == "sqlite":
            return question_id + 0
        return question_id

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
        for code in self.languages:
            args.add(LANGUAGE, code)
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
                    str(GIVEN_DISTRICT_LABEL),
                    chosen.option.shown_label,
                    replace(self, given_districts=rest_given),
                )
            )
        for district in self.districts:
            rest = tuple(d for d in self.districts if d != district)
            found.append(
                (str(DISTRICT_OF_RECORD_LABEL), district.label, replace(self, districts=rest))
            )
        for link in self.links:
            rest_links = tuple(x for x in self.links if x != link)
            found.append((_("Link"), link.name, replace(self, links=rest_links)))
        for group in self.groups:
            rest_groups = tuple(g for g in self.groups if g != group)
            found.append((_("Panel group"), group.name, replace(self, groups=rest_groups)))
        for kind in self.types:
            rest_types = tuple(t for t in self.types if t != kind)
            found.append((_("Respondent type"), kind.label, replace(self, types=rest_types)))
        for code in self.languages:
            rest_languages = tuple(c for c in self.languages if c != code)
            found.append(
                (str(LANGUAGE_LABEL), language_name(code), replace(self, languages=rest_languages))
            )
        if self.submitted_from:
            found.append(
                (
                    _("Sent on or after"),
                    long_date(self.submitted_from),
                    replace(self, submitted_from=None),
                )
            )
        if self.submitted_to:
            found.append(
                (
                    _("Sent on or before"),
                    long_date(self.submitted_to),
                    replace(self, submitted_to=None),
                )
            )
        for decile in self.deciles:
            rest_deciles = tuple(d for d in self.deciles if d != decile)
            found.append(
                (
                    _("Deprivation decile of the area given"),
                    decile_label(decile),
                    replace(self, deciles=rest_deciles),
                )
            )
        for chosen in self.answers:
            rest_answers = tuple(a for a in self.answers if a != chosen)
            found.append(
                (
                    _("Answered \u201c%(question)s\u201d", question=chosen.question.text),
                    chosen.option.shown_label,
                    replace(self, answers=rest_answers),
                )
            )
        return found

    def describe(self) -> str:
        """In words, for the audit log and the top of an export: in English, as they are kept."""
        if not self.active:
            return "all responses"
        with force_locale(STAFF_LANGUAGE):
            applied = self.applied()
        return "; ".join(f"{kind}: {value}" for kind, value, _rest in applied)

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


NO_FILTER = ResponseFilter()

"""Questions with a structured answer: a number, a date, a ranking, a grid of statements."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from wtforms import Field, Form
from wtforms.validators import StopValidation, ValidationError

from portal.consultations.models import Question, QuestionType
from portal.consultations.question_types.base import (
    AnswerRow,
    QuestionKind,
    ResultsKind,
    SingleValueField,
    Stored,
    TextAnswerField,
    choices_by_value,
    option_field_name,
    options_by_value,
    presence_validator,
    required_message,
)
from portal.consultations.question_types.choice import agreement_options
from portal.consultations.question_types.registry import register
from portal.i18n import format_number, long_date, parse_number
from portal.url_values import whole_number

# The Numeric(18, 4) columns hold up to 14 digits before the point and 4 after.
MAX_DECIMAL_PLACES = 4
NUMBER_LIMIT = Decimal("1e14")
DATE_PARTS = ("day", "month", "year")
# What a date left partly empty is missing: each said whole, as GOV.UK says it.
MISSING_DATE_PARTS = {
    ("day",): _l("Date must include a day"),
    ("month",): _l("Date must include a month"),
    ("year",): _l("Date must include a year"),
    ("day", "month"): _l("Date must include a day and month"),
    ("day", "year"): _l("Date must include a day and year"),
    ("month", "year"): _l("Date must include a month and year"),
}


@register
class Number(QuestionKind):
    type = QuestionType.NUMBER
    label = _l("Number")
    description = _l("A whole number, or one with decimals, with an optional minimum and maximum.")
    macro = "number_input"
    results = ResultsKind.NUMBERS
    settings = ("min_value", "max_value", "decimal_places")

    def problem(self, question: Question, value: Decimal | None) -> str | None:
        """Why a value is not an acceptable answer, in GOV.UK words; None when it is."""
        places = question.decimal_places or 0
        if value is None or not value.is_finite():
            return (
                _("Enter a number, like 3") if places == 0 else _("Enter a number, like 3 or 2.5")
            )
        if places == 0 and value != value.to_integral_value():
            return _("Enter a whole number, like 3")
        exponent = value.normalize().as_tuple().exponent
        if isinstance(exponent, int) and -exponent > places > 0:
            return ngettext(
                "Enter a number with no more than %(num)d decimal place",
                "Enter a number with no more than %(num)d decimal places",
                places,
            )
        low, high = question.min_value, question.max_value
        if abs(value) >= NUMBER_LIMIT:
            return _("Enter a smaller number")
        if low is not None and high is not None and not low <= value <= high:
            return _(
                "Enter a number between %(low)s and %(high)s",
                low=format_number(low),
                high=format_number(high),
            )
        if low is not None and value < low:
            return _("Enter a number that is %(low)s or more", low=format_number(low))
        if high is not None and value > high:
            return _("Enter a number that is %(high)s or less", high=format_number(high))
        return None

    def fields(self, question: Question) -> dict[str, Any]:
        def acceptable(form: Form, field: Field) -> None:
            message = self.problem(question, parse_number(field.data))
            if message:
                raise ValidationError(message)

        return {
            question.key: TextAnswerField(
                # Lazy: kept in the page's form class, said in each request's language.
                validators=[presence_validator(question, _l("Enter a number")), acceptable]
            )
        }

    def to_stored(self, question: Question, form: Form) -> Stored | None:
        value = parse_number(form[question.key].data)
        return {"number": format(value.normalize(), "f")} if value is not None else None

    def form_data(self, question: Question, stored: Stored | None) -> dict[str, Any]:
        return {question.key: (stored or {}).get("number", "")}

    def display(self, question: Question, stored: Stored | None) -> list[str]:
        return [format_number(Decimal(stored["number"]))] if stored else []

    def answer_rows(self, question: Question, stored: Stored) -> list[AnswerRow]:
        return [{"number": Decimal(stored["number"])}]

    def is_valid_stored(self, question: Question, stored: Stored | None) -> bool:
        if not stored:
            return not question.required
        raw = stored.get("number")
        return isinstance(raw, str) and self.problem(question, parse_number(raw)) is None

    def export_cells(self, question: Question, rows: Sequence[AnswerRow]) -> list[str]:
        number = next((row["number"] for row in rows if row.get("number") is not None), None)
        return [format(Decimal(number).normalize(), "f") if number is not None else ""]


def _date_field_name(question: Question, part: str) -> str:
    return f"{question.key}__{part}"


@register
class DateQuestion(QuestionKind):
    """The GOV.UK date input: day, month and year boxes, checked together."""

    type = QuestionType.DATE
    label = _l("Date")
    description = _l("Day, month and year, in three boxes (the GOV.UK date input).")
    macro = "date_input"
    results = ResultsKind.DATES

    def parse(self, question: Question, parts: dict[str, str]) -> date | str | None:
        """The date, or an error message, or None when nothing was entered."""
        given = {part: parts[part].strip() for part in DATE_PARTS}
        missing = [part for part in DATE_PARTS if not given[part]]
        if len(missing) == len(DATE_PARTS):
            return None
        if missing:
            return str(MISSING_DATE_PARTS[tuple(missing)])
        if not all(given[part].isdigit() for part in DATE_PARTS):
            return _("Date must be a real date")
        if len(given["year"]) != 4:
            return _("Year must include 4 numbers")
        try:
            return date(int(given["year"]), int(given["month"]), int(given["day"]))
        except (ValueError, OverflowError):  # a month of 2147483648 overflows, too
            return _("Date must be a real date")

    def fields(self, question: Question) -> dict[str, Any]:
        names = {part: _date_field_name(question, part) for part in DATE_PARTS}

        def whole_date(form: Form, field: Field) -> None:
            result = self.parse(question, {part: form[name].data for part, name in names.items()})
            if result is None:
                if question.required:
                    raise StopValidation(required_message(question, _("Enter the date")))
                raise StopValidation()
            if isinstance(result, str):
                raise StopValidation(result)

        # The check sits on the day box, which the error summary links to.
        return {
            names["day"]: TextAnswerField(validators=[whole_date]),
            names["month"]: TextAnswerField(),
            names["year"]: TextAnswerField(),
        }

    def field_names(self, question: Question) -> list[str]:
        return [_date_field_name(question, "day")]

    def to_stored(self, question: Question, form: Form) -> Stored | None:
        parts = {part: form[_date_field_name(question, part)].data for part in DATE_PARTS}
        result = self.parse(question, parts)
        return {"date": result.isoformat()} if isinstance(result, date) else None

    def form_data(self, question: Question, stored: Stored | None) -> dict[str, Any]:
        if not stored:
            return {}
        day = date.fromisoformat(stored["date"])
        values = {"day": str(day.day), "month": str(day.month), "year": str(day.year)}
        return {_date_field_name(question, part): values[part] for part in DATE_PARTS}

    def display(self, question: Question, stored: Stored | None) -> list[str]:
        return [long_date(date.fromisoformat(stored["date"]))] if stored else []

    def answer_rows(self, question: Question, stored: Stored) -> list[AnswerRow]:
        return [{"text": stored["date"]}]

    def is_valid_stored(self, question: Question, stored: Stored | None) -> bool:
        if not stored:
            return not question.required
        try:
            date.fromisoformat(stored.get("date", ""))
        except (TypeError, ValueError):
            return False
        return True

    def export_cells(self, question: Question, rows: Sequence[AnswerRow]) -> list[str]:
        return [next((row["text"] for row in rows if row.get("text")), "")]


@register
class Ranking(QuestionKind):
    """Order up to N options by giving each a rank from a list: no dragging needed."""

    type = QuestionType.RANKING
    label = _l("Ranking")
    description = _l(
        "The respondent ranks up to a number of options you set, 1 being the most important."
    )
    macro = "ranking"
    results = ResultsKind.RANKING
    uses_choices = True
    settings = ("max_selections",)

    def most(self, question: Question) -> int:
        count = len(question.choices)
        return min(question.max_selections or count, count)

    def ranks(self, question: Question, form: Form) -> dict[str, int]:
        """Option value -> rank given, ignoring options left unranked."""
        given: dict[str, int] = {}
        for option in question.choices:
            raw = form[option_field_name(question, option)].data
            if raw:
                rank = whole_number(raw, largest=1000)
                given[option.value] = -1 if rank is None else rank
        return given

    def fields(self, question: Question) -> dict[str, Any]:
        most = self.most(question)

        def whole_ranking(form: Form, field: Field) -> None:
            ranks = self.ranks(question, form)
            if not ranks:
                if question.required:
                    raise StopValidation(required_message(question, _("Rank at least one option")))
                raise StopValidation()
            values = sorted(ranks.values())
            if any(rank < 1 or rank > most for rank in values):
                raise StopValidation(_("Use ranks from 1 to %(most)s", most=most))
            if len(set(values)) != len(values):
                raise StopValidation(_("Give each rank to only one option"))
            if values != list(range(1, len(values) + 1)):
                raise StopValidation(
                    _("Use ranks 1 to %(last)s without leaving a gap", last=len(values))
                )

        fields: dict[str, Any] = {}
        for index, option in enumerate(question.choices):
            # The whole ranking is checked once, on the first option's list.
            fields[option_field_name(question, option)] = SingleValueField(
                validators=[whole_ranking] if index == 0 else []
            )
        return fields

    def field_names(self, question: Question) -> list[str]:
        return [option_field_name(question, question.choices[0])] if question.choices else []

    def to_stored(self, question: Question, form: Form) -> Stored | None:
        ranks = self.ranks(question, form)
        return {"ranked": sorted(ranks, key=ranks.__getitem__)} if ranks else None

    def form_data(self, question: Question, stored: Stored | None) -> dict[str, Any]:
        ranked = (stored or {}).get("ranked", [])
        options = choices_by_value(question)
        return {
            option_field_name(question, options[value]): str(position)
            for position, value in enumerate(ranked, start=1)
            if value in options
        }

    def display(self, question: Question, stored: Stored | None) -> list[str]:
        options = choices_by_value(question)
        ranked = [v for v in (stored or {}).get("ranked", []) if v in options]
        return [f"{position}. {options[v].label}" for position, v in enumerate(ranked, start=1)]

    def answer_rows(self, question: Question, stored: Stored) -> list[AnswerRow]:
        options = choices_by_value(question)
        return [
            {"option_id": options[value].id, "rank": position}
            for position, value in enumerate(stored["ranked"], start=1)
        ]

    def selected_values(self, question: Question, stored: Stored | None) -> set[str]:
        return set((stored or {}).get("ranked", []))

    def is_valid_stored(self, question: Question, stored: Stored | None) -> bool:
        if not stored:
            return not question.required
        ranked = stored.get("ranked", [])
        return (
            1 <= len(ranked) <= self.most(question)
            and len(set(ranked)) == len(ranked)
            and set(ranked) <= set(choices_by_value(question))
        )

    def export_columns(self, question: Question) -> list[str]:
        return [f"{question.text} \u2013 rank of {option.label}" for option in question.choices]

    def export_cells(self, question: Question, rows: Sequence[AnswerRow]) -> list[str]:
        rank_of = {row.get("option_id"): row.get("rank") for row in rows}
        return [str(rank_of.get(option.id) or "") for option in question.choices]


@register
class Matrix(QuestionKind):
    """Several statements answered on one scale: one small radio group per statement."""

    type = QuestionType.MATRIX
    label = _l("Matrix")
    description = _l(
        "Several statements, each answered on the same scale (for example, agree to disagree)."
    )
    macro = "matrix"
    results = ResultsKind.MATRIX
    uses_choices = True
    uses_statements = True

    def default_options(self) -> list[dict[str, Any]]:
        return agreement_options()

    def fields(self, question: Question) -> dict[str, Any]:
        allowed = set(choices_by_value(question))

        def on_the_scale(form: Form, field: Field) -> None:
            if field.data not in allowed:
                raise ValidationError(_("Select one of the options shown"))

        fields: dict[str, Any] = {}
        for statement in question.statements:
            # Lazy: kept in the page's form class, said in each request's language.
            presence = presence_validator(
                question, _l("Select an answer for “%(statement)s”", statement=statement.label)
            )
            if question.required and question.error_required:
                presence = presence_validator(
                    question,
                    _l(
                        "%(message)s: “%(statement)s”",
                        message=question.error_required,
                        statement=statement.label,
                    ),
                )
            fields[option_field_name(question, statement)] = SingleValueField(
                validators=[presence, on_the_scale]
            )
        return fields

    def to_stored(self, question: Question, form: Form) -> Stored | None:
        rows = {
            statement.value: form[option_field_name(question, statement)].data
            for statement in question.statements
            if form[option_field_name(question, statement)].data
        }
        return {"rows": rows} if rows else None

    def form_data(self, question: Question, stored: Stored | None) -> dict[str, Any]:
        rows = (stored or {}).get("rows", {})
        return {
            option_field_name(question, statement): rows.get(statement.value)
            for statement in question.statements
        }

    def display(self, question: Question, stored: Stored | None) -> list[str]:
        rows = (stored or {}).get("rows", {})
        choices = choices_by_value(question)
        return [
            f"{statement.label}: {choices[rows[statement.value]].label}"
            for statement in question.statements
            if rows.get(statement.value) in choices
        ]

    def answer_rows(self, question: Question, stored: Stored) -> list[AnswerRow]:
        choices = choices_by_value(question)
        statements = options_by_value(question.statements)
        return [
            {"statement_id": statements[statement].id, "option_id": choices[value].id}
            for statement, value in stored["rows"].items()
        ]

    def selected_values(self, question: Question, stored: Stored | None) -> set[str]:
        return set()  # a grid of answers does not route later questions

    def is_valid_stored(self, question: Question, stored: Stored | None) -> bool:
        if not stored:
            return not question.required
        rows = stored.get("rows", {})
        statements = set(options_by_value(question.statements))
        choices = set(choices_by_value(question))
        if not rows or not set(rows) <= statements or not set(rows.values()) <= choices:
            return False
        return not question.required or set(rows) == statements

    def export_columns(self, question: Question) -> list[str]:
        return [f"{question.text} \u2013 {statement.label}" for statement in question.statements]

    def export_cells(self, question: Question, rows: Sequence[AnswerRow]) -> list[str]:
        label_of = {option.id: option.label for option in question.choices}
        chosen = {row.get("statement_id"): row.get("option_id") for row in rows}
        return [label_of.get(chosen.get(s.id), "") for s in question.statements]  # type: ignore[arg-type]

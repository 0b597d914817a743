"""What every question type provides, and the form fields and validators they share.

A type knows how to build its form fields, how its answer is kept in a draft (`Stored`, a small
JSON-safe dict), how it reads on the check-answers page, which Answer rows it becomes, how its
results are summarised (`results`), and its columns in an export.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal
from typing import Any, ClassVar

from flask_babel import gettext as _
from flask_babel import ngettext
from wtforms import Field, Form
from wtforms.validators import StopValidation, ValidationError

from portal.consultations.models import Option, Question, QuestionType
from portal.forms import CONTROL_CHARACTERS
from portal.i18n import format_number

Stored = dict[str, Any]
# One Answer row's content: any of option_id, text, number, statement_id, rank.
AnswerRow = dict[str, Any]

OTHER_TEXT_MAX_LENGTH = 200
OTHER = "__other__"  # the value of the "Other, please specify" choice


class ResultsKind:
    """How the reporting service counts a type's answers (see reporting.service)."""

    CHOICES = "choices"
    COMMENTS = "comments"
    NUMBERS = "numbers"
    DATES = "dates"
    RANKING = "ranking"
    MATRIX = "matrix"
    AREAS = "areas"  # postcode sectors, counted by the deprivation decile of each
    NONE = "none"


def other_field_name(question: Question) -> str:
    return f"{question.key}__other"


def option_field_name(question: Question, option: Option) -> str:
    """The input of one option (a ranking's rank) or one statement (a matrix row)."""
    return f"{question.key}__{option.value}"


def normalise_text(raw: str | None) -> str:
    """Browsers send CRLF line ends; the character count the respondent saw counts one each."""
    return (raw or "").replace("\r\n", "\n")


def required_message(question: Question, default: str) -> str:
    return question.error_required or default


def options_by_value(options: Iterable[Option]) -> dict[str, Option]:
    return {option.value: option for option in options}


# The choices by value of the questions of a structure (consultations/structure.py), which
# nothing changes: worked out once per question when the structure is loaded, rather than for
# every answer checked and stored, which was a twentieth of sending a response
# (bench/results.md; measured again, with page plans: sending 4.7 ms of CPU with both, 5.9 ms
# without, on PostgreSQL; 4.9 and 5.3 ms on SQLite, consultations/structure.py says how).
# Kept on the question object itself, so it goes with its structure; questions loaded to be
# edited never have it, so never read it stale.
_FROZEN_CHOICES = "_frozen_choices"


def freeze_choices(question: Question) -> None:
    """Remember a structure's (read-only) question's choices by value."""
    setattr(question, _FROZEN_CHOICES, options_by_value(question.choices))


def choices_by_value(question: Question) -> dict[str, Option]:
    """The question's choices by value: remembered for a structure's questions, else worked
    out."""
    frozen: dict[str, Option] | None = getattr(question, _FROZEN_CHOICES, None)
    return frozen if frozen is not None else options_by_value(question.choices)


class SingleValueField(Field):
    """The one submitted value, or None; membership is checked by the question type."""

    data: str | None

    def process_formdata(self, valuelist: list[str]) -> None:
        self.data = valuelist[0] if valuelist and valuelist[0] != "" else None

    def _value(self) -> str:
        return self.data or ""


class MultiValueField(Field):
    """Every submitted value, de-duplicated, in the order sent."""

    data: list[str]

    def process_formdata(self, valuelist: list[str]) -> None:
        self.data = list(dict.fromkeys(v for v in valuelist if v != ""))

    def process_data(self, value: Iterable[str] | None) -> None:
        self.data = list(value or [])


class TextAnswerField(Field):
    data: str

    def process_formdata(self, valuelist: list[str]) -> None:
        self.data = normalise_text(valuelist[0] if valuelist else "")

    def process_data(self, value: str | None) -> None:
        self.data = value or ""

    def _value(self) -> str:
        return self.data or ""


def has_content(data: Any) -> bool:
    if isinstance(data, str):
        return data.strip() != ""
    return bool(data)


def required_validator(message: str) -> Callable[[Form, Field], None]:
    def validate(form: Form, field: Field) -> None:
        if not has_content(field.data):
            field.errors[:] = []
            raise StopValidation(message)

    return validate


def optional_validator(form: Form, field: Field) -> None:
    if not has_content(field.data):
        field.errors[:] = []
        raise StopValidation()


def presence_validator(question: Question, default: str) -> Callable[[Form, Field], None]:
    """Required questions must be answered; optional ones skip their other checks when empty."""
    if question.required:
        return required_validator(required_message(question, default))
    return optional_validator


def text_validator(max_length: int, postcode: bool = False) -> Callable[[Form, Field], None]:
    """Typed text's checks, said of "your answer" (or "your postcode") in whole sentences."""

    def validate(form: Form, field: Field) -> None:
        if CONTROL_CHARACTERS.search(field.data or ""):
            raise ValidationError(
                _("Your postcode must not contain unusual control characters")
                if postcode
                else _("Your answer must not contain unusual control characters")
            )
        if len(field.data or "") > max_length:
            count = format_number(Decimal(max_length))
            raise ValidationError(
                ngettext(
                    "Your postcode must be %(count)s character or fewer",
                    "Your postcode must be %(count)s characters or fewer",
                    max_length,
                    count=count,
                )
                if postcode
                else ngettext(
                    "Your answer must be %(count)s character or fewer",
                    "Your answer must be %(count)s characters or fewer",
                    max_length,
                    count=count,
                )
            )

    return validate


def valid_text(text: Any, max_length: int) -> bool:
    return (
        isinstance(text, str)
        and bool(text.strip())
        and len(text) <= max_length
        and not CONTROL_CHARACTERS.search(text)
    )


class QuestionKind(ABC):
    type: ClassVar[QuestionType]
    # The macro in templates/components/questions.html that renders this type's inputs.
    macro: ClassVar[str]
    # Shown to officers in the builder.
    label: ClassVar[str]
    description: ClassVar[str]
    results: ClassVar[str]
    # False only for blocks of information, which ask nothing.
    asks: ClassVar[bool] = True
    # Whether later pages and questions may be shown or skipped on this question's answer.
    routable: ClassVar[bool] = False
    # The builder edits options (choices), and for a matrix also statements.
    uses_choices: ClassVar[bool] = False
    uses_statements: ClassVar[bool] = False
    # The Question settings the builder offers for this type, beyond text, hint and required.
    settings: ClassVar[tuple[str, ...]] = ()

    def default_options(self) -> list[dict[str, Any]]:
        """Options a new question of this type starts with (value, label, scale_weight)."""
        return []

    @abstractmethod
    def fields(self, question: Question) -> dict[str, Any]:
        """Unbound WTForms fields for this question, keyed by input name."""

    def field_names(self, question: Question) -> list[str]:
        """Input names in page order; the error summary links to each one's first input."""
        return list(self.fields(question))

    @abstractmethod
    def to_stored(self, question: Question, form: Form) -> Stored | None:
        """The validated answer as kept in the draft; None when the question was skipped."""

    @abstractmethod
    def form_data(self, question: Question, stored: Stored | None) -> dict[str, Any]:
        """Field values to pre-fill the form with, from a stored answer."""

    @abstractmethod
    def display(self, question: Question, stored: Stored | None) -> list[str]:
        """Lines for the check-answers page."""

    @abstractmethod
    def answer_rows(self, question: Question, stored: Stored) -> list[AnswerRow]:
        """The Answer rows a stored answer becomes."""

    @abstractmethod
    def is_valid_stored(self, question: Question, stored: Stored | None) -> bool:
        """Checked again at submission, in case the draft and the consultation disagree."""

    def selected_values(self, question: Question, stored: Stored | None) -> set[str]:
        """Option values chosen, which display conditions on later questions read."""
        return set((stored or {}).get("selected", []))

    def export_columns(self, question: Question) -> list[str]:
        """Column headings in a one-row-per-response export."""
        return [question.text]

    @abstractmethod
    def export_cells(self, question: Question, rows: Sequence[AnswerRow]) -> list[str]:
        """One response's cells under export_columns, from its Answer rows for this question."""


def labels_of(question: Question, rows: Sequence[AnswerRow]) -> list[str]:
    """The labels of the options in these rows, in the question's option order."""
    chosen = {row.get("option_id") for row in rows}
    return [option.label for option in question.options if option.id in chosen]

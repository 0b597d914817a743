"""One class per question type, found through a registry rather than if-chains.

Each type knows how to build its form field, how its answer is kept in a draft (`stored`, a small
JSON-safe dict), how it reads on the check-answers page, and which Answer rows it becomes.
A new type is a new subclass registered with @register.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable
from typing import Any, ClassVar

from wtforms import Field, Form
from wtforms.validators import StopValidation, ValidationError

from portal.consultations.models import Option, Question, QuestionType

Stored = dict[str, Any]
# Control characters other than tab and newline never come from a keyboard, and PostgreSQL
# cannot store NUL: refuse them with an error rather than store or strip them silently.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
OTHER_TEXT_MAX_LENGTH = 200

REGISTRY: dict[QuestionType, QuestionKind] = {}


def register(cls: type[QuestionKind]) -> type[QuestionKind]:
    REGISTRY[cls.type] = cls()
    return cls


def kind_of(question: Question) -> QuestionKind:
    return REGISTRY[question.type]


def other_field_name(question: Question) -> str:
    return f"{question.key}__other"


def normalise_text(raw: str | None) -> str:
    """Browsers send CRLF line ends; the character count the respondent saw counts one each."""
    return (raw or "").replace("\r\n", "\n")


def required_message(question: Question, default: str) -> str:
    return question.error_required or default


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


def _has_content(data: Any) -> bool:
    if isinstance(data, str):
        return data.strip() != ""
    return bool(data)


def required_validator(message: str) -> Callable[[Form, Field], None]:
    def validate(form: Form, field: Field) -> None:
        if not _has_content(field.data):
            field.errors[:] = []
            raise StopValidation(message)

    return validate


def optional_validator(form: Form, field: Field) -> None:
    if not _has_content(field.data):
        field.errors[:] = []
        raise StopValidation()


def text_validator(max_length: int, what: str) -> Callable[[Form, Field], None]:
    def validate(form: Form, field: Field) -> None:
        if CONTROL_CHARACTERS.search(field.data or ""):
            raise ValidationError(f"{what} must not contain unusual control characters")
        if len(field.data or "") > max_length:
            raise ValidationError(f"{what} must be {max_length:,} characters or fewer")

    return validate


class QuestionKind(ABC):
    type: ClassVar[QuestionType]
    # The macro in templates/components/questions.html that renders this type's inputs.
    macro: ClassVar[str]

    @abstractmethod
    def fields(self, question: Question) -> dict[str, Any]:
        """Unbound WTForms fields for this question, keyed by input name."""

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
    def answer_rows(
        self, question: Question, stored: Stored
    ) -> list[tuple[int | None, str | None]]:
        """(option id, text) pairs to store as Answer rows."""

    @abstractmethod
    def is_valid_stored(self, question: Question, stored: Stored | None) -> bool:
        """Checked again at submission, in case the draft and the consultation disagree."""


def _option_by_value(question: Question) -> dict[str, Option]:
    return {option.value: option for option in question.options}


class _SingleChoice(QuestionKind):
    macro = "radios"
    default_required = "Select an answer"

    def fields(self, question: Question) -> dict[str, Any]:
        allowed = set(_option_by_value(question))

        def one_of_options(form: Form, field: Field) -> None:
            if field.data not in allowed:
                raise ValidationError("Select one of the options shown")

        first = (
            required_validator(required_message(question, self.default_required))
            if question.required
            else optional_validator
        )
        return {question.key: SingleValueField(validators=[first, one_of_options])}

    def to_stored(self, question: Question, form: Form) -> Stored | None:
        value = form[question.key].data
        return {"selected": [value]} if value else None

    def form_data(self, question: Question, stored: Stored | None) -> dict[str, Any]:
        return {question.key: (stored or {}).get("selected", [None])[0]}

    def display(self, question: Question, stored: Stored | None) -> list[str]:
        options = _option_by_value(question)
        return [options[v].label for v in (stored or {}).get("selected", []) if v in options]

    def answer_rows(
        self, question: Question, stored: Stored
    ) -> list[tuple[int | None, str | None]]:
        options = _option_by_value(question)
        return [(options[v].id, None) for v in stored["selected"]]

    def is_valid_stored(self, question: Question, stored: Stored | None) -> bool:
        if not stored:
            return not question.required
        selected = stored.get("selected", [])
        return len(selected) == 1 and selected[0] in _option_by_value(question)


@register
class SingleChoice(_SingleChoice):
    type = QuestionType.SINGLE_CHOICE


@register
class AgreementScale(_SingleChoice):
    type = QuestionType.AGREEMENT_SCALE
    default_required = "Select how much you agree"


@register
class MultipleChoice(QuestionKind):
    """Checkboxes, with optional exclusive "None of these" options and "Other, please specify"."""

    type = QuestionType.MULTIPLE_CHOICE
    macro = "checkboxes"
    OTHER = "__other__"

    def fields(self, question: Question) -> dict[str, Any]:
        options = _option_by_value(question)
        allowed = set(options) | ({self.OTHER} if question.other_label else set())
        exclusive = {value for value, option in options.items() if option.exclusive}

        def valid_selection(form: Form, field: Field) -> None:
            if not set(field.data) <= allowed:
                raise ValidationError("Select only the options shown")
            chosen_exclusive = exclusive & set(field.data)
            if chosen_exclusive and len(field.data) > 1:
                label = options[next(iter(chosen_exclusive))].label
                raise ValidationError(f"Select \u201c{label}\u201d on its own, or other options")

        first = (
            required_validator(required_message(question, "Select at least one option"))
            if question.required
            else optional_validator
        )
        fields: dict[str, Any] = {
            question.key: MultiValueField(validators=[first, valid_selection])
        }
        if question.other_label:
            other_key = other_field_name(question)

            def other_given_when_chosen(form: Form, field: Field) -> None:
                chosen = self.OTHER in (form[question.key].data or [])
                if chosen and not field.data.strip():
                    raise StopValidation(f"Enter what \u201c{question.other_label}\u201d means")
                if not chosen:
                    raise StopValidation()  # ignored unless "Other" is ticked

            fields[other_key] = TextAnswerField(
                validators=[
                    other_given_when_chosen,
                    text_validator(OTHER_TEXT_MAX_LENGTH, "Your answer"),
                ]
            )
        return fields

    def to_stored(self, question: Question, form: Form) -> Stored | None:
        selected = list(form[question.key].data or [])
        if not selected:
            return None
        stored: Stored = {"selected": [v for v in selected if v != self.OTHER]}
        if self.OTHER in selected:
            stored["other"] = form[other_field_name(question)].data
        return stored

    def form_data(self, question: Question, stored: Stored | None) -> dict[str, Any]:
        stored = stored or {}
        selected = list(stored.get("selected", []))
        data: dict[str, Any] = {question.key: selected}
        if "other" in stored:
            data[question.key] = [*selected, self.OTHER]
            data[other_field_name(question)] = stored["other"]
        return data

    def display(self, question: Question, stored: Stored | None) -> list[str]:
        options = _option_by_value(question)
        stored = stored or {}
        lines = [options[v].label for v in stored.get("selected", []) if v in options]
        if "other" in stored:
            lines.append(f"{question.other_label}: {stored['other']}")
        return lines

    def answer_rows(
        self, question: Question, stored: Stored
    ) -> list[tuple[int | None, str | None]]:
        options = _option_by_value(question)
        rows: list[tuple[int | None, str | None]] = [
            (options[v].id, None) for v in stored["selected"]
        ]
        if "other" in stored:
            rows.append((None, stored["other"]))
        return rows

    def is_valid_stored(self, question: Question, stored: Stored | None) -> bool:
        if not stored:
            return not question.required
        options = _option_by_value(question)
        selected = stored.get("selected", [])
        if not set(selected) <= set(options):
            return False
        if "other" in stored and not (question.other_label and stored["other"].strip()):
            return False
        exclusive_chosen = any(options[v].exclusive for v in selected)
        count = len(selected) + (1 if "other" in stored else 0)
        return count >= 1 and not (exclusive_chosen and count > 1)


@register
class FreeText(QuestionKind):
    type = QuestionType.FREE_TEXT
    macro = "textarea"

    def max_length(self, question: Question) -> int:
        return question.max_length or 1200

    def fields(self, question: Question) -> dict[str, Any]:
        first = (
            required_validator(required_message(question, "Enter your answer"))
            if question.required
            else optional_validator
        )
        return {
            question.key: TextAnswerField(
                validators=[first, text_validator(self.max_length(question), "Your answer")]
            )
        }

    def to_stored(self, question: Question, form: Form) -> Stored | None:
        text = form[question.key].data
        return {"text": text} if text.strip() else None

    def form_data(self, question: Question, stored: Stored | None) -> dict[str, Any]:
        return {question.key: (stored or {}).get("text", "")}

    def display(self, question: Question, stored: Stored | None) -> list[str]:
        return [stored["text"]] if stored else []

    def answer_rows(
        self, question: Question, stored: Stored
    ) -> list[tuple[int | None, str | None]]:
        return [(None, stored["text"])]

    def is_valid_stored(self, question: Question, stored: Stored | None) -> bool:
        if not stored:
            return not question.required
        text = stored.get("text", "")
        return (
            bool(text.strip())
            and len(text) <= self.max_length(question)
            and not CONTROL_CHARACTERS.search(text)
        )

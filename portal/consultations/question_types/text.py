"""Questions answered in the respondent's own words, and blocks of information."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import Field, Form
from wtforms.validators import ValidationError

from portal.areas.sectors import sector_of
from portal.consultations.models import Question, QuestionType
from portal.consultations.question_types.base import (
    AnswerRow,
    QuestionKind,
    ResultsKind,
    Stored,
    TextAnswerField,
    presence_validator,
    text_validator,
    valid_text,
)
from portal.consultations.question_types.registry import register

LONG_TEXT_DEFAULT_MAX = 1200
SHORT_TEXT_DEFAULT_MAX = 200


class _Text(QuestionKind):
    results = ResultsKind.COMMENTS
    settings = ("max_length",)
    default_max: int

    def max_length(self, question: Question) -> int:
        return question.max_length or self.default_max

    def fields(self, question: Question) -> dict[str, Any]:
        return {
            question.key: TextAnswerField(
                validators=[
                    # Lazy: kept in the page's form class, said in each request's language.
                    presence_validator(question, _l("Enter your answer")),
                    text_validator(self.max_length(question)),
                ]
            )
        }

    def to_stored(self, question: Question, form: Form) -> Stored | None:
        text = form[question.key].data
        return {"text": text} if text.strip() else None

    def form_data(self, question: Question, stored: Stored | None) -> dict[str, Any]:
        return {question.key: (stored or {}).get("text", "")}

    def display(self, question: Question, stored: Stored | None) -> list[str]:
        return [stored["text"]] if stored else []

    def answer_rows(self, question: Question, stored: Stored) -> list[AnswerRow]:
        return [{"text": stored["text"]}]

    def is_valid_stored(self, question: Question, stored: Stored | None) -> bool:
        if not stored:
            return not question.required
        return valid_text(stored.get("text"), self.max_length(question))

    def export_cells(self, question: Question, rows: Sequence[AnswerRow]) -> list[str]:
        return [next((row["text"] for row in rows if row.get("text") is not None), "")]


@register
class LongText(_Text):
    type = QuestionType.FREE_TEXT
    label = _l("Long text")
    description = _l("A comment box with a character count (1,200 characters unless you set it).")
    macro = "textarea"
    default_max = LONG_TEXT_DEFAULT_MAX


@register
class ShortText(_Text):
    type = QuestionType.SHORT_TEXT
    label = _l("Short text")
    description = _l("One line of text, such as a name of a street or a bus route.")
    macro = "text_input"
    default_max = SHORT_TEXT_DEFAULT_MAX


@register
class PostcodeSector(QuestionKind):
    """Where the respondent lives, as a postcode sector only: the full postcode typed is never
    kept, not even in the draft. Results read it by the deprivation decile of the council's
    lookup (portal/areas)."""

    type = QuestionType.POSTCODE_SECTOR
    label = _l("Postcode area")
    description = _l(
        "A postcode, of which only the area (such as CV34 4) is kept, to read results by "
        "the deprivation of areas."
    )
    macro = "postcode_input"
    results = ResultsKind.AREAS

    def fields(self, question: Question) -> dict[str, Any]:
        def a_postcode(form: Form, field: Field) -> None:
            if sector_of(field.data) is None:
                raise ValidationError(
                    _(
                        "Enter a postcode, like CV34 4RL, or its first part and the next "
                        "number, like CV34 4"
                    )
                    if question.required
                    else _(
                        "Enter a postcode, like CV34 4RL, or its first part and the next "
                        "number, like CV34 4, or leave it blank"
                    )
                )

        return {
            question.key: TextAnswerField(
                validators=[
                    presence_validator(question, _l("Enter your postcode")),
                    text_validator(20, postcode=True),
                    a_postcode,
                ]
            )
        }

    def to_stored(self, question: Question, form: Form) -> Stored | None:
        sector = sector_of(form[question.key].data)
        return {"text": sector} if sector else None

    def form_data(self, question: Question, stored: Stored | None) -> dict[str, Any]:
        return {question.key: (stored or {}).get("text", "")}

    def display(self, question: Question, stored: Stored | None) -> list[str]:
        if not stored:
            return []
        return [_("%(sector)s (only this part of your postcode is kept)", sector=stored["text"])]

    def answer_rows(self, question: Question, stored: Stored) -> list[AnswerRow]:
        return [{"text": stored["text"]}]

    def is_valid_stored(self, question: Question, stored: Stored | None) -> bool:
        if not stored:
            return not question.required
        text = stored.get("text")
        return isinstance(text, str) and sector_of(text) == text

    def export_cells(self, question: Question, rows: Sequence[AnswerRow]) -> list[str]:
        return [next((row["text"] for row in rows if row.get("text") is not None), "")]


@register
class Information(QuestionKind):
    """Words for the respondent between questions: nothing to answer, nothing stored."""

    type = QuestionType.INFORMATION
    label = _l("Information")
    description = _l("A heading and text shown to the respondent; it asks nothing.")
    macro = "information"
    results = ResultsKind.NONE
    asks = False

    def fields(self, question: Question) -> dict[str, Any]:
        return {}

    def to_stored(self, question: Question, form: Form) -> Stored | None:
        return None

    def form_data(self, question: Question, stored: Stored | None) -> dict[str, Any]:
        return {}

    def display(self, question: Question, stored: Stored | None) -> list[str]:
        return []

    def answer_rows(self, question: Question, stored: Stored) -> list[AnswerRow]:
        return []

    def is_valid_stored(self, question: Question, stored: Stored | None) -> bool:
        return stored is None

    def export_columns(self, question: Question) -> list[str]:
        return []

    def export_cells(self, question: Question, rows: Sequence[AnswerRow]) -> list[str]:
        return []

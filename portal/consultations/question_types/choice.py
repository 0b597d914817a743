"""Questions answered by choosing: one option, several options, a point on a scale."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from wtforms import Field, Form
from wtforms.validators import StopValidation, ValidationError

from portal.consultations.models import Question, QuestionType
from portal.consultations.question_types.base import (
    OTHER,
    OTHER_TEXT_MAX_LENGTH,
    AnswerRow,
    MultiValueField,
    QuestionKind,
    ResultsKind,
    SingleValueField,
    Stored,
    TextAnswerField,
    choices_by_value,
    labels_of,
    other_field_name,
    presence_validator,
    text_validator,
    valid_text,
)
from portal.consultations.question_types.registry import register

# The standard five-point scale and "Don't know"; weights give net agreement. The labels are
# the words a new question starts with: the consultation's own, kept in English here and
# translated with the consultation (portal/consultations/translations.py).
AGREEMENT_SCALE = [
    ("strongly_agree", "Strongly agree", 2),
    ("agree", "Agree", 1),
    ("neither", "Neither agree nor disagree", 0),  # kept in English: see above
    ("disagree", "Disagree", -1),
    ("strongly_disagree", "Strongly disagree", -2),
    ("dont_know", "Don't know", None),
]


def agreement_options() -> list[dict[str, Any]]:
    return [
        {"value": value, "label": label, "scale_weight": weight}
        for value, label, weight in AGREEMENT_SCALE
    ]


def _other_text_field(question: Question, chosen: Any) -> TextAnswerField:
    """The "Please specify" box, checked only when "Other" is chosen."""

    def given_when_chosen(form: Form, field: Field) -> None:
        if not chosen(form):
            raise StopValidation()  # ignored unless "Other" is chosen
        if not field.data.strip():
            raise StopValidation(_("Enter what “%(other)s” means", other=question.other_label))

    return TextAnswerField(validators=[given_when_chosen, text_validator(OTHER_TEXT_MAX_LENGTH)])


def _other_row(stored: Stored) -> list[AnswerRow]:
    return [{"text": stored["other"]}] if "other" in stored else []


class _OneOption(QuestionKind):
    """Radios: exactly one option, optionally "Other, please specify"."""

    macro = "radios"
    results = ResultsKind.CHOICES
    uses_choices = True
    routable = True
    # Lazy: a page's form class is built once and kept (responses/service.py), and its message
    # is said in the language of each request that shows it.
    default_required = _l("Select an answer")

    def fields(self, question: Question) -> dict[str, Any]:
        allowed = set(choices_by_value(question))
        if question.other_label:
            allowed.add(OTHER)

        def one_of_options(form: Form, field: Field) -> None:
            if field.data not in allowed:
                raise ValidationError(_("Select one of the options shown"))

        fields: dict[str, Any] = {
            question.key: SingleValueField(
                validators=[presence_validator(question, self.default_required), one_of_options]
            )
        }
        if question.other_label:
            fields[other_field_name(question)] = _other_text_field(
                question, lambda form: form[question.key].data == OTHER
            )
        return fields

    def to_stored(self, question: Question, form: Form) -> Stored | None:
        value = form[question.key].data
        if not value:
            return None
        if value == OTHER:
            return {"selected": [], "other": form[other_field_name(question)].data}
        return {"selected": [value]}

    def form_data(self, question: Question, stored: Stored | None) -> dict[str, Any]:
        stored = stored or {}
        if "other" in stored:
            return {question.key: OTHER, other_field_name(question): stored["other"]}
        return {question.key: (stored.get("selected") or [None])[0]}

    def display(self, question: Question, stored: Stored | None) -> list[str]:
        stored = stored or {}
        options = choices_by_value(question)
        lines = [options[v].label for v in stored.get("selected", []) if v in options]
        if "other" in stored:
            lines.append(f"{question.other_label}: {stored['other']}")
        return lines

    def answer_rows(self, question: Question, stored: Stored) -> list[AnswerRow]:
        options = choices_by_value(question)
        return [{"option_id": options[v].id} for v in stored["selected"]] + _other_row(stored)

    def is_valid_stored(self, question: Question, stored: Stored | None) -> bool:
        if not stored:
            return not question.required
        selected = stored.get("selected", [])
        if "other" in stored:
            return (
                not selected
                and bool(question.other_label)
                and valid_text(stored["other"], OTHER_TEXT_MAX_LENGTH)
            )
        return len(selected) == 1 and selected[0] in choices_by_value(question)

    def export_columns(self, question: Question) -> list[str]:
        columns = [question.text]
        if question.other_label:
            columns.append(f"{question.text} \u2013 {question.other_label}")
        return columns

    def export_cells(self, question: Question, rows: Sequence[AnswerRow]) -> list[str]:
        other = next((row["text"] for row in rows if row.get("text") is not None), "")
        chosen = labels_of(question, rows)
        cells = [chosen[0] if chosen else (question.other_label or "") if other else ""]
        if question.other_label:
            cells.append(other)
        return cells


@register
class SingleChoice(_OneOption):
    type = QuestionType.SINGLE_CHOICE
    label = _l("Single choice")
    description = _l("Radios: the respondent picks one option.")
    settings = ("other_label",)


@register
class AgreementScale(_OneOption):
    type = QuestionType.AGREEMENT_SCALE
    label = _l("Agreement scale")
    description = _l(
        "Strongly agree to strongly disagree, with labels you can change; results show "
        "net agreement."
    )
    default_required = _l("Select how much you agree")

    def default_options(self) -> list[dict[str, Any]]:
        return agreement_options()


@register
class Rating(_OneOption):
    type = QuestionType.RATING
    label = _l("Rating from 0 to 10")
    description = _l("A score from 0 to 10; results show the average score.")
    macro = "rating"
    default_required = _l("Select a score from 0 to 10")
    uses_choices = False  # always the eleven scores; the hint says what 0 and 10 mean

    def default_options(self) -> list[dict[str, Any]]:
        return [{"value": str(n), "label": str(n), "scale_weight": n} for n in range(11)]


@register
class MultipleChoice(QuestionKind):
    """Checkboxes, with optional exclusive "None of these" options, a maximum number of
    choices, and "Other, please specify"."""

    type = QuestionType.MULTIPLE_CHOICE
    label = _l("Multiple choice")
    description = _l("Checkboxes: the respondent picks any number, or up to a maximum you set.")
    macro = "checkboxes"
    results = ResultsKind.CHOICES
    uses_choices = True
    routable = True
    settings = ("other_label", "max_selections")

    def fields(self, question: Question) -> dict[str, Any]:
        options = choices_by_value(question)
        allowed = set(options) | ({OTHER} if question.other_label else set())
        exclusive = {value for value, option in options.items() if option.exclusive}
        maximum = question.max_selections

        def valid_selection(form: Form, field: Field) -> None:
            if not set(field.data) <= allowed:
                raise ValidationError(_("Select only the options shown"))
            chosen_exclusive = exclusive & set(field.data)
            if chosen_exclusive and len(field.data) > 1:
                label = options[next(iter(chosen_exclusive))].label
                raise ValidationError(
                    _("Select “%(option)s” on its own, or other options", option=label)
                )
            if maximum and len(field.data) > maximum:
                raise ValidationError(
                    ngettext(
                        "Select no more than %(num)d option",
                        "Select no more than %(num)d options",
                        maximum,
                    )
                )

        fields: dict[str, Any] = {
            question.key: MultiValueField(
                validators=[
                    presence_validator(question, _l("Select at least one option")),
                    valid_selection,
                ]
            )
        }
        if question.other_label:
            fields[other_field_name(question)] = _other_text_field(
                question, lambda form: OTHER in (form[question.key].data or [])
            )
        return fields

    def to_stored(self, question: Question, form: Form) -> Stored | None:
        selected = list(form[question.key].data or [])
        if not selected:
            return None
        stored: Stored = {"selected": [v for v in selected if v != OTHER]}
        if OTHER in selected:
            stored["other"] = form[other_field_name(question)].data
        return stored

    def form_data(self, question: Question, stored: Stored | None) -> dict[str, Any]:
        stored = stored or {}
        selected = list(stored.get("selected", []))
        data: dict[str, Any] = {question.key: selected}
        if "other" in stored:
            data[question.key] = [*selected, OTHER]
            data[other_field_name(question)] = stored["other"]
        return data

    def display(self, question: Question, stored: Stored | None) -> list[str]:
        return _OneOption.display(self, question, stored)  # type: ignore[arg-type]

    def answer_rows(self, question: Question, stored: Stored) -> list[AnswerRow]:
        options = choices_by_value(question)
        return [{"option_id": options[v].id} for v in stored["selected"]] + _other_row(stored)

    def is_valid_stored(self, question: Question, stored: Stored | None) -> bool:
        if not stored:
            return not question.required
        options = choices_by_value(question)
        selected = stored.get("selected", [])
        if not set(selected) <= set(options):
            return False
        if "other" in stored and not (
            question.other_label and valid_text(stored["other"], OTHER_TEXT_MAX_LENGTH)
        ):
            return False
        exclusive_chosen = any(options[v].exclusive for v in selected)
        count = len(selected) + (1 if "other" in stored else 0)
        if question.max_selections and count > question.max_selections:
            return False
        return count >= 1 and not (exclusive_chosen and count > 1)

    def export_columns(self, question: Question) -> list[str]:
        # One column per option, as analysts expect from survey tools: "Yes" or blank; in the
        # form's order, "Other" before a "None of these".
        return [
            f"{question.text} \u2013 {option.shown_label if option else question.other_label}"
            for option in question.answers_in_form_order
        ]

    def export_cells(self, question: Question, rows: Sequence[AnswerRow]) -> list[str]:
        chosen = {row.get("option_id") for row in rows}
        other = next((row["text"] for row in rows if row.get("text") is not None), "")
        return [
            ("Yes" if option.id in chosen else "") if option else other
            for option in question.answers_in_form_order
        ]

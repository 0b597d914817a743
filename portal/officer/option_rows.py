"""A question's options and statements as rows of the question's own form: the rows a page
shows (saved ones, then empty ones for new options), what a submitted form asks to change, and
where each of its buttons leads."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, request, url_for
from flask_babel import gettext as _
from werkzeug import Response as WerkzeugResponse
from wtforms import Field

from portal.consultations.builder import OptionEdits
from portal.consultations.models import Option, OptionKind, Question, QuestionType
from portal.consultations.question_types import kind_of
from portal.officer.builder_forms import OptionsForm
from portal.url_values import whole_number

KINDS = {"choices": OptionKind.CHOICE, "statements": OptionKind.STATEMENT}
MOST_EMPTY_ROWS = 10


def option_lists(question: Question) -> list[str]:
    """The lists of rows the question's type uses: "choices", "statements" or both."""
    kind = kind_of(question)
    return [
        name
        for name, uses in (("choices", kind.uses_choices), ("statements", kind.uses_statements))
        if uses
    ]


def _saved(question: Question, name: str) -> list[Option]:
    return list(question.choices if name == "choices" else question.statements)


def _empty_rows(question: Question, name: str) -> int:
    """One empty row for a new option (two while the list is empty), or as many as the Add
    another button asked for."""
    if request.args.get("more") == name:
        asked = whole_number(request.args.get("rows"), MOST_EMPTY_ROWS)
        if asked:
            return asked
    return max(1, 2 - len(_saved(question, name)))


def saved_options_form(question: Question, lists: list[str]) -> OptionsForm:
    data = {
        name: [
            {"value": o.value, "label": o.label, "exclusive": o.exclusive}
            for o in _saved(question, name)
        ]
        + [{"value": "", "label": "", "exclusive": False}] * _empty_rows(question, name)
        for name in lists
    }
    return OptionsForm(formdata=None, data=data)


def keep_known_rows(question: Question, form: OptionsForm, lists: list[str]) -> None:
    """Drop posted rows naming an option this list has not got (removed meanwhile by someone
    else, or made up): they change nothing, and are not shown back as if they were options."""
    for name in lists:
        known = {o.value for o in _saved(question, name)}
        form[name].entries = [
            row
            for row in form[name].entries
            if not row.form.value.data or row.form.value.data in known
        ]


def option_edits(question: Question, form: OptionsForm, lists: list[str]) -> OptionEdits:
    """What the submitted rows and button ask for. Rows naming an option the question does
    not have (deleted meanwhile, or made up) are ignored."""
    by_value = {o.value: o for o in question.options}
    multiple = question.type == QuestionType.MULTIPLE_CHOICE
    edits = OptionEdits()
    for name in lists:
        for row in form[name]:
            value, label = row.form.value.data, row.form.label.data or ""
            exclusive = bool(row.form.exclusive.data) if multiple else None
            option = by_value.get(value or "")
            if option is not None and option.kind == KINDS[name] and value != form.remove.data:
                edits.labels[option] = (label, exclusive)
            elif not value and label:
                edits.added.append((KINDS[name], label, bool(exclusive)))
    edits.remove = by_value.get(form.remove.data or "")
    for field, step in ((form.move_up, -1), (form.move_down, 1)):
        if field.data in by_value:
            edits.move = (by_value[field.data], step)
    return edits


def row_of(form: OptionsForm, lists: list[str], value: str) -> Field | None:
    return next((row for name in lists for row in form[name] if row.form.value.data == value), None)


def after_options_saved(
    question: Question,
    form: OptionsForm,
    edits: OptionEdits,
    removed: tuple[str, OptionKind] | None,
) -> WerkzeugResponse | None:
    """Back to the question after Add another, Remove or Move; None after Save question.
    `removed` is the removed option's label and kind, read before it was deleted."""
    if form.add_another.data in KINDS:
        name = form.add_another.data
        # A new option was typed: it is saved, and one empty row follows it. Pressed with
        # nothing typed: one more empty row than before.
        new_rows = [row for row in form[name] if not row.form.value.data]
        typed = any(row.form.label.data for row in new_rows)
        rows = 1 if typed else min(MOST_EMPTY_ROWS, len(new_rows) + 1)
        first_empty = len(_saved(question, name))
        return _to_question(question, f"{name}-{first_empty}-label", more=name, rows=rows)
    if removed is not None:
        label, kind = removed
        flash(_("\u201c%(label)s\u201d removed", label=label), "success")
        return _to_question(question, KINDS_HEADING[kind])
    if edits.move is not None:
        option, step = edits.move
        if step < 0:
            flash(_("\u201c%(label)s\u201d moved up", label=option.label), "success")
        else:
            flash(_("\u201c%(label)s\u201d moved down", label=option.label), "success")
        name = "choices" if option.kind == OptionKind.CHOICE else "statements"
        index = _saved(question, name).index(option)
        return _to_question(question, f"{name}-{index}-label")
    return None


KINDS_HEADING = {OptionKind.CHOICE: "choices", OptionKind.STATEMENT: "statements"}


def _to_question(question: Question, anchor: str, **args: Any) -> WerkzeugResponse:
    url = url_for(
        ".edit_question", slug=question.consultation.slug, key=question.key, _anchor=anchor, **args
    )
    return redirect(url, code=303)

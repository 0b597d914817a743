"""The consultation builder's questions, their display conditions (and a page's) and their
options: thin views over portal.consultations.builder, each change a POST that redirects, as in
builder_views.py."""

from __future__ import annotations

from flask import abort, flash, request
from flask_babel import gettext as _
from werkzeug import Response as WerkzeugResponse
from wtforms.fields.choices import SelectChoice

from portal.accounts.permissions import Action, allows
from portal.consultations import builder
from portal.consultations.builder import ChangeRefused
from portal.consultations.models import (
    ConditionOperator,
    Consultation,
    DisplayCondition,
    Option,
    Page,
    Question,
)
from portal.consultations.question_types import kind_of
from portal.extensions import db
from portal.forms import ConfirmForm
from portal.officer import bp
from portal.officer.builder_forms import ConditionForm, OptionsForm, QuestionForm
from portal.officer.builder_support import (
    apply_change,
    checked_action,
    consultation_to_build,
    has_responses,
    page_of,
    question_of,
    step_of,
    to_builder,
    to_question,
)
from portal.officer.option_rows import (
    after_options_saved,
    keep_known_rows,
    option_edits,
    option_lists,
    row_of,
    saved_options_form,
)
from portal.rendering import render_page
from portal.strategy import service as strategy


def _question_form(question: Question, form: QuestionForm) -> QuestionForm:
    priorities = strategy.priorities()
    form.outcomes.choices = [
        SelectChoice(outcome.id, f"{outcome.code} {outcome.title}")
        for priority in priorities
        for outcome in priority.outcomes
    ]
    form.indicators.choices = [
        SelectChoice(
            indicator.id,
            _("%(name)s (section %(section)s)", name=indicator.name, section=indicator.section),
        )
        for priority in priorities
        for indicator in priority.indicators
    ]
    return form


def _condition_form(consultation: Consultation, page: Page) -> ConditionForm:
    form = ConditionForm()
    form.option.choices = [
        SelectChoice(option.id, option.label, optgroup=source.text)
        for source in builder.condition_sources(consultation, page)
        for option in source.choices
    ]
    return form


def _add_condition(consultation: Consultation, page: Page, target: Page | Question) -> None:
    form = _condition_form(consultation, page)
    if not form.validate_on_submit():
        flash(_("Select an answer from an earlier page"), "error")
        return
    option = db.session.get(Option, form.option.data)
    if option is None or option.question.consultation_id != consultation.id:
        abort(400)
    apply_change(
        builder.add_condition,
        _("Condition added"),
        target,
        ConditionOperator(form.operator.data),
        option,
    )


@bp.post("/consultations/<slug>/pages/<int:position>/conditions")
@allows(Action.BUILD_CONSULTATION)
def add_page_condition(slug: str, position: int) -> WerkzeugResponse:
    consultation = consultation_to_build(slug)
    page = page_of(consultation, position)
    _add_condition(consultation, page, page)
    return to_builder(consultation, f"page-{position}")


# Questions -------------------------------------------------------------------------------------


@bp.route("/consultations/<slug>/questions/<key>", methods=["GET", "POST"])
@allows(Action.BUILD_CONSULTATION)
def edit_question(slug: str, key: str) -> WerkzeugResponse:
    """The question's settings and its options in one form: Save question saves both; Add
    another, Remove and Move save what was typed too, then come back here."""
    consultation = consultation_to_build(slug)
    question = question_of(consultation, key)
    kind = kind_of(question)
    lists = option_lists(question)
    if request.method == "GET":
        form = _question_form(question, QuestionForm(obj=question, formdata=None))
        outcome_ids, indicator_ids = builder.linked_ids(question)
        form.outcomes.data, form.indicators.data = sorted(outcome_ids), sorted(indicator_ids)
        options = saved_options_form(question, lists)
    else:
        form = _question_form(question, QuestionForm())
        options = OptionsForm()
        keep_known_rows(question, options, lists)
        settings_valid = form.validate_on_submit()
        needs_one = {"choices"} if kind.uses_choices else set()
        if options.validate_on_submit() and options.check_rows(lists, needs_one) and settings_valid:
            saved = _save_question(question, form, options, lists)
            if saved is not None:
                return saved
    page = next(p for p in consultation.pages if question in p.questions)
    return render_page(
        "officer/builder/question.html",
        status=422 if request.method == "POST" else 200,
        consultation=consultation,
        question=question,
        kind=kind,
        form=form,
        options=options,
        lists=lists,
        sources=builder.condition_sources(consultation, page),
        action=ConfirmForm(),
        answered=has_responses(consultation),
        priorities=strategy.priorities(),
    )


def _save_question(
    question: Question, form: QuestionForm, options: OptionsForm, lists: list[str]
) -> WerkzeugResponse | None:
    """Save everything typed; where to go next, or None with the refusal on its field."""
    kind = kind_of(question)
    values = {"text": form.text.data.strip(), "hint": (form.hint.data or "").strip()}
    if kind.asks:
        values["required"] = form.required.data
        values["personal"] = form.personal.data
        values["error_required"] = (form.error_required.data or "").strip()
    for name in kind.settings:
        raw = form[name].data
        values[name] = raw.strip() or None if isinstance(raw, str) else raw
    edits = option_edits(question, options, lists)
    removed = (edits.remove.label, edits.remove.kind) if edits.remove else None
    try:
        builder.save_question(
            question,
            values,
            list(form.outcomes.data or []),
            list(form.indicators.data or []),
            edits,
            answered=has_responses(question.consultation),
        )
    except builder.OptionRefused as refusal:
        db.session.rollback()
        row = row_of(options, lists, refusal.option_value)
        (row.form.label if row else form.text).errors = [str(refusal)]
        return None
    except ChangeRefused as refusal:
        db.session.rollback()
        form.text.errors = [str(refusal)]
        return None
    return after_options_saved(question, options, edits, removed) or _saved(question)


def _saved(question: Question) -> WerkzeugResponse:
    flash(_("Question saved"), "success")
    return to_builder(question.consultation, f"question-{question.key}")


@bp.post("/consultations/<slug>/questions/<key>/move/<direction>")
@allows(Action.BUILD_CONSULTATION)
def move_question(slug: str, key: str, direction: str) -> WerkzeugResponse:
    consultation = consultation_to_build(slug)
    question = question_of(consultation, key)
    checked_action()
    step = step_of(direction)
    moved = _("Question moved up") if step < 0 else _("Question moved down")
    apply_change(builder.move_question, moved, question, step)
    return to_builder(consultation, f"question-{key}")


@bp.post("/consultations/<slug>/questions/<key>/delete")
@allows(Action.BUILD_CONSULTATION)
def delete_question(slug: str, key: str) -> WerkzeugResponse:
    consultation = consultation_to_build(slug)
    question = question_of(consultation, key)
    checked_action()
    answered = has_responses(consultation)
    apply_change(builder.delete_question, _("Question deleted"), question, answered=answered)
    return to_builder(consultation)


@bp.post("/consultations/<slug>/questions/<key>/conditions")
@allows(Action.BUILD_CONSULTATION)
def add_question_condition(slug: str, key: str) -> WerkzeugResponse:
    consultation = consultation_to_build(slug)
    question = question_of(consultation, key)
    page = next(p for p in consultation.pages if question in p.questions)
    _add_condition(consultation, page, question)
    return to_question(question, "conditions")


@bp.post("/consultations/<slug>/conditions/<int:condition_id>/delete")
@allows(Action.BUILD_CONSULTATION)
def delete_condition(slug: str, condition_id: int) -> WerkzeugResponse:
    consultation = consultation_to_build(slug)
    condition = db.session.get(DisplayCondition, condition_id)
    if condition is None or condition.consultation_id != consultation.id:
        abort(404)
    checked_action()
    question = condition.question
    apply_change(builder.delete_condition, _("Condition removed"), condition)
    if question is not None and request.args.get("back") == "question":
        return to_question(question, "conditions")
    return to_builder(consultation)

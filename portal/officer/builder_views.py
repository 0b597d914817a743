"""The consultation builder: thin views over portal.consultations.builder.

Every change is a POST that redirects (POST-redirect-GET), so it works without JavaScript;
with it, HTMX posts the same forms and swaps in the changed part of the page.
"""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, request, url_for
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
    OptionKind,
    Page,
    PanelLink,
    Question,
    QuestionType,
)
from portal.consultations.question_types import REGISTRY, kind_of
from portal.consultations.service import consultation_with_questions
from portal.extensions import db
from portal.officer import bp
from portal.officer.builder_forms import (
    ActionForm,
    ConditionForm,
    DetailsForm,
    NewQuestionForm,
    OptionForm,
    PageTitleForm,
    QuestionForm,
    ReopenForm,
)
from portal.rendering import render_page
from portal.responses.service import uk_today
from portal.strategy import service as strategy

STEPS = {"up": -1, "down": 1}


def _consultation(slug: str) -> Consultation:
    return consultation_with_questions(slug) or abort(404)


def _page(consultation: Consultation, position: int) -> Page:
    return next((p for p in consultation.pages if p.position == position), None) or abort(404)


def _question(consultation: Consultation, key: str) -> Question:
    return next((q for q in consultation.questions if q.key == key), None) or abort(404)


def _option(question: Question, value: str) -> Option:
    return next((o for o in question.options if o.value == value), None) or abort(404)


def _step(direction: str) -> int:
    return STEPS.get(direction) or abort(404)


def _to_builder(consultation: Consultation, anchor: str | None = None) -> WerkzeugResponse:
    return redirect(url_for(".build", slug=consultation.slug, _anchor=anchor), code=303)


def _to_question(question: Question, anchor: str | None = None) -> WerkzeugResponse:
    return redirect(
        url_for(
            ".edit_question", slug=question.consultation.slug, key=question.key, _anchor=anchor
        ),
        code=303,
    )


def _checked_action() -> None:
    """Every builder button is a form with a CSRF token; a bad or missing one changes nothing."""
    if not ActionForm().validate_on_submit():
        abort(400)


def _apply(change: Any, success: str, *args: Any) -> bool:
    """Run a builder change; say what happened, or why it was refused."""
    try:
        change(*args)
    except ChangeRefused as refusal:
        db.session.rollback()
        flash(str(refusal), "error")
        return False
    flash(success, "success")
    return True


def _details(form: DetailsForm) -> dict[str, Any]:
    return {
        "title": form.title.data.strip(),
        "summary": form.summary.data.strip(),
        "audience": form.audience.data.strip(),
        "who_for": (form.who_for.data or "").strip(),
        "what_happens": (form.what_happens.data or "").strip(),
        "privacy_notice": form.privacy_notice.data.strip(),
        "help_text": (form.help_text.data or "").strip(),
        "safeguarding_terms": "\n".join(
            line.strip()
            for line in (form.safeguarding_terms.data or "").splitlines()
            if line.strip()
        ),
        "estimated_minutes": form.estimated_minutes.data,
        "retention_months": form.retention_months.data,
        "opens_on": form.opens_on.data,
        "closes_on": form.closes_on.data,
        "panel_link": PanelLink(form.panel_link.data or "cells"),
    }


# Consultations --------------------------------------------------------------------------------


@bp.route("/consultations/new", methods=["GET", "POST"])
@allows(Action.BUILD_CONSULTATION)
def new_consultation() -> WerkzeugResponse:
    form = DetailsForm()
    if form.validate_on_submit():
        try:
            consultation = builder.create_consultation(**_details(form))
        except ChangeRefused as refusal:
            form.closes_on.errors = [str(refusal)]
        else:
            flash("Consultation created. Now add its questions.", "success")
            return _to_builder(consultation)
    return render_page(
        "officer/builder/details.html",
        status=422 if form.errors else 200,
        form=form,
        consultation=None,
    )


@bp.route("/consultations/<slug>/details", methods=["GET", "POST"])
@allows(Action.BUILD_CONSULTATION)
def edit_details(slug: str) -> WerkzeugResponse:
    consultation = _consultation(slug)
    form = DetailsForm(obj=consultation)
    if form.validate_on_submit():
        try:
            builder.update_details(consultation, **_details(form))
        except ChangeRefused as refusal:
            form.closes_on.errors = [str(refusal)]
        else:
            flash("Details saved", "success")
            return _to_builder(consultation)
    return render_page(
        "officer/builder/details.html",
        status=422 if form.errors else 200,
        form=form,
        consultation=consultation,
    )


@bp.get("/consultations/<slug>/build")
@allows(Action.BUILD_CONSULTATION)
def build(slug: str) -> WerkzeugResponse:
    return _render_builder(_consultation(slug))


def _render_builder(
    consultation: Consultation, status: int = 200, failed: dict[int, NewQuestionForm] | None = None
) -> WerkzeugResponse:
    failed = failed or {}
    return render_page(
        "officer/builder/build.html",
        status=status,
        consultation=consultation,
        action=ActionForm(),
        page_title_forms={
            p.position: PageTitleForm(obj=p, formdata=None) for p in consultation.pages
        },
        new_question_forms={
            p.position: failed.get(p.position) or NewQuestionForm(formdata=None)
            for p in consultation.pages
        },
        reopen_form=ReopenForm(formdata=None),
        condition_sources={
            p.position: builder.condition_sources(consultation, p) for p in consultation.pages
        },
        problems=builder.problems_before_publishing(consultation),
        answered=builder.has_responses(consultation),
        phase=consultation.phase_on(uk_today()),
        kinds=REGISTRY,
    )


@bp.post("/consultations/<slug>/publish")
@allows(Action.BUILD_CONSULTATION)
def publish(slug: str) -> WerkzeugResponse:
    consultation = _consultation(slug)
    _checked_action()
    _apply(builder.publish, "Published: respondents can now answer it", consultation, uk_today())
    return _to_builder(consultation)


@bp.post("/consultations/<slug>/close")
@allows(Action.BUILD_CONSULTATION)
def close(slug: str) -> WerkzeugResponse:
    consultation = _consultation(slug)
    _checked_action()
    _apply(builder.close, "Closed: no more responses will be accepted", consultation, uk_today())
    return _to_builder(consultation)


@bp.post("/consultations/<slug>/reopen")
@allows(Action.BUILD_CONSULTATION)
def reopen(slug: str) -> WerkzeugResponse:
    consultation = _consultation(slug)
    form = ReopenForm()
    if not form.validate_on_submit():
        flash("; ".join(e for errors in form.errors.values() for e in errors), "error")
        return _to_builder(consultation)
    _apply(builder.reopen, "Reopened", consultation, uk_today(), form.closes_on.data)
    return _to_builder(consultation)


@bp.post("/consultations/<slug>/duplicate")
@allows(Action.BUILD_CONSULTATION)
def duplicate(slug: str) -> WerkzeugResponse:
    consultation = _consultation(slug)
    _checked_action()
    copy = builder.duplicate(consultation)
    flash(f"This is a new draft copied from \u201c{consultation.title}\u201d", "success")
    return _to_builder(copy)


# Pages -----------------------------------------------------------------------------------------


@bp.post("/consultations/<slug>/pages")
@allows(Action.BUILD_CONSULTATION)
def add_page(slug: str) -> WerkzeugResponse:
    consultation = _consultation(slug)
    _checked_action()
    page = builder.add_page(consultation)
    flash(f"Page {page.position} added", "success")
    return _to_builder(consultation, f"page-{page.position}")


@bp.post("/consultations/<slug>/pages/<int:position>")
@allows(Action.BUILD_CONSULTATION)
def rename_page(slug: str, position: int) -> WerkzeugResponse:
    consultation = _consultation(slug)
    page = _page(consultation, position)
    form = PageTitleForm()
    if form.validate_on_submit():
        builder.rename_page(page, (form.title.data or "").strip())
        flash(f"Page {position} title saved", "success")
    else:
        flash("Page titles must be 200 characters or fewer", "error")
    return _to_builder(consultation, f"page-{position}")


@bp.post("/consultations/<slug>/pages/<int:position>/move/<direction>")
@allows(Action.BUILD_CONSULTATION)
def move_page(slug: str, position: int, direction: str) -> WerkzeugResponse:
    consultation = _consultation(slug)
    page = _page(consultation, position)
    _checked_action()
    _apply(builder.move_page, f"Page moved {direction}", page, _step(direction))
    return _to_builder(consultation, f"page-{page.position}")


@bp.post("/consultations/<slug>/pages/<int:position>/delete")
@allows(Action.BUILD_CONSULTATION)
def delete_page(slug: str, position: int) -> WerkzeugResponse:
    consultation = _consultation(slug)
    page = _page(consultation, position)
    _checked_action()
    _apply(builder.delete_page, f"Page {position} deleted", page)
    return _to_builder(consultation)


@bp.post("/consultations/<slug>/pages/<int:position>/questions")
@allows(Action.BUILD_CONSULTATION)
def add_question(slug: str, position: int) -> WerkzeugResponse:
    consultation = _consultation(slug)
    page = _page(consultation, position)
    form = NewQuestionForm()
    if not form.validate_on_submit():
        return _render_builder(consultation, status=422, failed={position: form})
    question = builder.add_question(page, QuestionType(form.type.data), form.text.data.strip())
    flash("Question added. Now set its details.", "success")
    return _to_question(question)


@bp.post("/consultations/<slug>/pages/<int:position>/conditions")
@allows(Action.BUILD_CONSULTATION)
def add_page_condition(slug: str, position: int) -> WerkzeugResponse:
    consultation = _consultation(slug)
    page = _page(consultation, position)
    _add_condition(consultation, page, page)
    return _to_builder(consultation, f"page-{position}")


# Questions -------------------------------------------------------------------------------------


def _question_form(question: Question, form: QuestionForm) -> QuestionForm:
    form.outcomes.choices = [
        SelectChoice(outcome.id, f"{outcome.code} {outcome.title}")
        for priority in strategy.priorities()
        for outcome in priority.outcomes
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
        flash("Select an answer from an earlier page", "error")
        return
    option = db.session.get(Option, form.option.data)
    if option is None or option.question.consultation_id != consultation.id:
        abort(400)
    _apply(
        builder.add_condition,
        "Condition added",
        target,
        ConditionOperator(form.operator.data),
        option,
    )


@bp.route("/consultations/<slug>/questions/<key>", methods=["GET", "POST"])
@allows(Action.BUILD_CONSULTATION)
def edit_question(slug: str, key: str) -> WerkzeugResponse:
    consultation = _consultation(slug)
    question = _question(consultation, key)
    kind = kind_of(question)
    if request.method == "GET":
        form = _question_form(question, QuestionForm(obj=question, formdata=None))
        form.outcomes.data = sorted(builder.linked_outcome_ids(question))
    else:
        form = _question_form(question, QuestionForm())
    if form.validate_on_submit():
        values = {"text": form.text.data.strip(), "hint": (form.hint.data or "").strip()}
        if kind.asks:
            values["required"] = form.required.data
            values["personal"] = form.personal.data
            values["error_required"] = (form.error_required.data or "").strip()
        for name in kind.settings:
            raw = form[name].data
            values[name] = raw.strip() or None if isinstance(raw, str) else raw
        try:
            builder.update_question(question, **values)
        except ChangeRefused as refusal:
            db.session.rollback()
            form.text.errors = [str(refusal)]
        else:
            builder.set_outcomes(question, list(form.outcomes.data or []))
            flash("Question saved", "success")
            return _to_builder(consultation, f"question-{question.key}")
    page = next(p for p in consultation.pages if question in p.questions)
    return render_page(
        "officer/builder/question.html",
        status=422 if form.errors else 200,
        consultation=consultation,
        question=question,
        kind=kind,
        form=form,
        option_form=OptionForm(formdata=None),
        sources=builder.condition_sources(consultation, page),
        action=ActionForm(),
        answered=builder.has_responses(consultation),
    )


@bp.post("/consultations/<slug>/questions/<key>/move/<direction>")
@allows(Action.BUILD_CONSULTATION)
def move_question(slug: str, key: str, direction: str) -> WerkzeugResponse:
    consultation = _consultation(slug)
    question = _question(consultation, key)
    _checked_action()
    _apply(builder.move_question, f"Question moved {direction}", question, _step(direction))
    return _to_builder(consultation, f"question-{key}")


@bp.post("/consultations/<slug>/questions/<key>/delete")
@allows(Action.BUILD_CONSULTATION)
def delete_question(slug: str, key: str) -> WerkzeugResponse:
    consultation = _consultation(slug)
    question = _question(consultation, key)
    _checked_action()
    _apply(builder.delete_question, "Question deleted", question)
    return _to_builder(consultation)


@bp.post("/consultations/<slug>/questions/<key>/conditions")
@allows(Action.BUILD_CONSULTATION)
def add_question_condition(slug: str, key: str) -> WerkzeugResponse:
    consultation = _consultation(slug)
    question = _question(consultation, key)
    page = next(p for p in consultation.pages if question in p.questions)
    _add_condition(consultation, page, question)
    return _to_question(question, "conditions")


@bp.post("/consultations/<slug>/conditions/<int:condition_id>/delete")
@allows(Action.BUILD_CONSULTATION)
def delete_condition(slug: str, condition_id: int) -> WerkzeugResponse:
    consultation = _consultation(slug)
    condition = db.session.get(DisplayCondition, condition_id)
    if condition is None or condition.consultation_id != consultation.id:
        abort(404)
    _checked_action()
    question = condition.question
    _apply(builder.delete_condition, "Condition removed", condition)
    if question is not None and request.args.get("back") == "question":
        return _to_question(question, "conditions")
    return _to_builder(consultation)


# Options and statements ------------------------------------------------------------------------


@bp.post("/consultations/<slug>/questions/<key>/options/<kind>")
@allows(Action.BUILD_CONSULTATION)
def add_option(slug: str, key: str, kind: str) -> WerkzeugResponse:
    consultation = _consultation(slug)
    question = _question(consultation, key)
    option_kind = OptionKind(kind) if kind in OptionKind._value2member_map_ else abort(404)
    form = OptionForm()
    if form.validate_on_submit():
        builder.add_option(question, form.label.data.strip(), option_kind)
        flash(f"Added \u201c{form.label.data.strip()}\u201d", "success")
    else:
        flash("Enter the option, in 300 characters or fewer", "error")
    return _to_question(question, f"{option_kind.value}s")


@bp.post("/consultations/<slug>/questions/<key>/options/<value>/update")
@allows(Action.BUILD_CONSULTATION)
def update_option(slug: str, key: str, value: str) -> WerkzeugResponse:
    consultation = _consultation(slug)
    question = _question(consultation, key)
    option = _option(question, value)
    form = OptionForm()
    if form.validate_on_submit():
        exclusive = form.exclusive.data if question.type == QuestionType.MULTIPLE_CHOICE else None
        builder.update_option(option, form.label.data.strip(), exclusive)
        flash(f"Saved \u201c{option.label}\u201d", "success")
    else:
        flash("Enter the option, in 300 characters or fewer", "error")
    return _to_question(question, f"option-{value}")


@bp.post("/consultations/<slug>/questions/<key>/options/<value>/move/<direction>")
@allows(Action.BUILD_CONSULTATION)
def move_option(slug: str, key: str, value: str, direction: str) -> WerkzeugResponse:
    consultation = _consultation(slug)
    question = _question(consultation, key)
    option = _option(question, value)
    _checked_action()
    _apply(
        builder.move_option,
        f"\u201c{option.label}\u201d moved {direction}",
        option,
        _step(direction),
    )
    return _to_question(question, f"option-{value}")


@bp.post("/consultations/<slug>/questions/<key>/options/<value>/delete")
@allows(Action.BUILD_CONSULTATION)
def delete_option(slug: str, key: str, value: str) -> WerkzeugResponse:
    consultation = _consultation(slug)
    question = _question(consultation, key)
    option = _option(question, value)
    _checked_action()
    kind = option.kind.value
    _apply(builder.delete_option, f"\u201c{option.label}\u201d deleted", option)
    return _to_question(question, f"{kind}s")

"""The consultation builder: thin views over portal.consultations.builder, for a
consultation's details, its life (publish, close, reopen, duplicate) and its pages; its
questions, display conditions and options are in question_builder_views.py.

Every change is a POST that redirects (POST-redirect-GET), so it works without JavaScript;
with it, HTMX posts the same forms and swaps in the changed part of the page.
"""

from __future__ import annotations

from typing import Any

from flask import flash
from flask_babel import gettext as _
from werkzeug import Response as WerkzeugResponse

from portal.accounts.permissions import Action, allows
from portal.clock import uk_today
from portal.consultations import builder, copies, translations
from portal.consultations.builder import ChangeRefused
from portal.consultations.models import Consultation, ConsultationStatus, PanelLink, QuestionType
from portal.consultations.question_types import REGISTRY
from portal.forms import ConfirmForm
from portal.officer import bp
from portal.officer.builder_forms import (
    DetailsForm,
    NewQuestionForm,
    PageTitleForm,
    ReopenForm,
)
from portal.officer.builder_support import (
    apply_change,
    checked_action,
    consultation_to_build,
    has_responses,
    page_of,
    step_of,
    to_builder,
    to_question,
)
from portal.rendering import render_page


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
        "timing_note": (form.timing_note.data or "").strip(),
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
            flash(_("Consultation created. Now add its questions."), "success")
            return to_builder(consultation)
    return render_page(
        "officer/builder/details.html",
        status=422 if form.errors else 200,
        form=form,
        consultation=None,
    )


@bp.route("/consultations/<slug>/details", methods=["GET", "POST"])
@allows(Action.BUILD_CONSULTATION)
def edit_details(slug: str) -> WerkzeugResponse:
    consultation = consultation_to_build(slug)
    form = DetailsForm(obj=consultation)
    if form.validate_on_submit():
        try:
            builder.update_details(consultation, **_details(form))
        except ChangeRefused as refusal:
            form.closes_on.errors = [str(refusal)]
        else:
            flash(_("Details saved"), "success")
            return to_builder(consultation)
    return render_page(
        "officer/builder/details.html",
        status=422 if form.errors else 200,
        form=form,
        consultation=consultation,
    )


@bp.get("/consultations/<slug>/build")
@allows(Action.BUILD_CONSULTATION)
def build(slug: str) -> WerkzeugResponse:
    return _render_builder(consultation_to_build(slug))


def _render_builder(
    consultation: Consultation, status: int = 200, failed: dict[int, NewQuestionForm] | None = None
) -> WerkzeugResponse:
    failed = failed or {}
    return render_page(
        "officer/builder/build.html",
        status=status,
        consultation=consultation,
        action=ConfirmForm(),
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
        answered=has_responses(consultation),
        phase=consultation.phase_on(uk_today()),
        today=uk_today(),
        kinds=REGISTRY,
        languages=[
            translations.status_of(consultation, row)
            for row in translations.languages_of(consultation)
        ],
        text_states=translations.TextState,
    )


@bp.get("/consultations/<slug>/publish")
@allows(Action.BUILD_CONSULTATION)
def confirm_publish(slug: str) -> WerkzeugResponse:
    """Are you sure? What publishing does, asked before the button that does it."""
    consultation = consultation_to_build(slug)
    today = uk_today()
    refusals = builder.problems_before_publishing(consultation)
    if consultation.status != ConsultationStatus.DRAFT:
        refusals = [_("It is already published")]
    return render_page(
        "officer/confirm/publish.html",
        consultation=consultation,
        form=ConfirmForm(),
        refusals=refusals,
        today=today,
        opens_on=consultation.opens_on or today,
    )


@bp.post("/consultations/<slug>/publish")
@allows(Action.BUILD_CONSULTATION)
def publish(slug: str) -> WerkzeugResponse:
    consultation = consultation_to_build(slug)
    checked_action()
    apply_change(
        builder.publish, _("Published: respondents can now answer it"), consultation, uk_today()
    )
    return to_builder(consultation)


@bp.get("/consultations/<slug>/close")
@allows(Action.BUILD_CONSULTATION)
def confirm_close(slug: str) -> WerkzeugResponse:
    consultation = consultation_to_build(slug)
    refusals = {
        ConsultationStatus.DRAFT: [_("It is a draft: nobody can respond to it yet")],
        ConsultationStatus.CLOSED: [_("It is already closed")],
    }.get(consultation.status, [])
    return render_page(
        "officer/confirm/close.html",
        consultation=consultation,
        form=ConfirmForm(),
        refusals=refusals,
        today=uk_today(),
    )


@bp.post("/consultations/<slug>/close")
@allows(Action.BUILD_CONSULTATION)
def close(slug: str) -> WerkzeugResponse:
    consultation = consultation_to_build(slug)
    checked_action()
    apply_change(
        builder.close, _("Closed: no more responses will be accepted"), consultation, uk_today()
    )
    return to_builder(consultation)


@bp.post("/consultations/<slug>/reopen")
@allows(Action.BUILD_CONSULTATION)
def reopen(slug: str) -> WerkzeugResponse:
    consultation = consultation_to_build(slug)
    form = ReopenForm()
    if not form.validate_on_submit():
        flash("; ".join(e for errors in form.errors.values() for e in errors), "error")
        return to_builder(consultation)
    apply_change(builder.reopen, _("Reopened"), consultation, uk_today(), form.closes_on.data)
    return to_builder(consultation)


@bp.post("/consultations/<slug>/duplicate")
@allows(Action.BUILD_CONSULTATION)
def duplicate(slug: str) -> WerkzeugResponse:
    consultation = consultation_to_build(slug)
    checked_action()
    copy = copies.duplicate(consultation)
    flash(
        _("This is a new draft copied from \u201c%(title)s\u201d", title=consultation.title),
        "success",
    )
    return to_builder(copy)


# Pages -----------------------------------------------------------------------------------------


@bp.post("/consultations/<slug>/pages")
@allows(Action.BUILD_CONSULTATION)
def add_page(slug: str) -> WerkzeugResponse:
    consultation = consultation_to_build(slug)
    checked_action()
    page = builder.add_page(consultation)
    flash(_("Page %(number)s added", number=page.position), "success")
    return to_builder(consultation, f"page-{page.position}")


@bp.post("/consultations/<slug>/pages/<int:position>")
@allows(Action.BUILD_CONSULTATION)
def rename_page(slug: str, position: int) -> WerkzeugResponse:
    consultation = consultation_to_build(slug)
    page = page_of(consultation, position)
    form = PageTitleForm()
    if form.validate_on_submit():
        builder.rename_page(page, (form.title.data or "").strip())
        flash(_("Page %(number)s title saved", number=position), "success")
    else:
        flash(_("Page titles must be 200 characters or fewer"), "error")
    return to_builder(consultation, f"page-{position}")


@bp.post("/consultations/<slug>/pages/<int:position>/move/<direction>")
@allows(Action.BUILD_CONSULTATION)
def move_page(slug: str, position: int, direction: str) -> WerkzeugResponse:
    consultation = consultation_to_build(slug)
    page = page_of(consultation, position)
    checked_action()
    step = step_of(direction)
    moved = _("Page moved up") if step < 0 else _("Page moved down")
    apply_change(builder.move_page, moved, page, step)
    return to_builder(consultation, f"page-{page.position}")


@bp.post("/consultations/<slug>/pages/<int:position>/delete")
@allows(Action.BUILD_CONSULTATION)
def delete_page(slug: str, position: int) -> WerkzeugResponse:
    consultation = consultation_to_build(slug)
    page = page_of(consultation, position)
    checked_action()
    apply_change(builder.delete_page, _("Page %(number)s deleted", number=position), page)
    return to_builder(consultation)


@bp.post("/consultations/<slug>/pages/<int:position>/questions")
@allows(Action.BUILD_CONSULTATION)
def add_question(slug: str, position: int) -> WerkzeugResponse:
    consultation = consultation_to_build(slug)
    page = page_of(consultation, position)
    form = NewQuestionForm()
    if not form.validate_on_submit():
        return _render_builder(consultation, status=422, failed={position: form})
    question = builder.add_question(page, QuestionType(form.type.data), form.text.data.strip())
    flash(_("Question added. Now set its details."), "success")
    return to_question(question)

"""Officers draft a consultation's published results, preview them, publish and withdraw."""

from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug import Response as WerkzeugResponse

from portal.accounts.permissions import Action, allows
from portal.clock import uk_today
from portal.consultations.models import Consultation
from portal.consultations.service import consultation_with_questions
from portal.forms import ConfirmForm
from portal.officer import bp
from portal.officer.publication_forms import ActionForm, PublicationForm
from portal.publications import service as publications
from portal.rendering import render_page
from portal.strategy.models import Outcome


def _consultation(slug: str) -> Consultation:
    return consultation_with_questions(slug) or abort(404)


def _action_form(consultation: Consultation) -> tuple[ActionForm, dict[str, Outcome]]:
    """The form, and the outcomes its choices stand for (by the value posted)."""
    outcomes = {str(o.id): o for o in publications.outcomes_for_actions(consultation)}
    form = ActionForm()
    form.outcome.choices = [("", _("No particular outcome"))] + [
        (value, f"{o.code} {o.title}") for value, o in outcomes.items()
    ]
    return form, outcomes


def _page(
    consultation: Consultation,
    details: PublicationForm | None = None,
    action_form: ActionForm | None = None,
) -> WerkzeugResponse:
    publication = publications.publication_of(consultation)
    if details is None:
        details = PublicationForm()
        if publication is not None:
            details.introduction.data = publication.introduction
            details.questions.data = [q.id for q in publication.questions]
    details.questions.choices = [
        (q.id, q.text) for q in consultation.questions if publications.publishable(q)
    ]
    action_form = action_form or _action_form(consultation)[0]
    failed = bool(details.errors or action_form.errors)
    return render_page(
        "officer/publication.html",
        status=422 if failed else 200,
        consultation=consultation,
        publication=publication,
        details=details,
        action_form=action_form,
        confirm_form=ConfirmForm(),
        refusals=publications.refusals(consultation, publication, uk_today()),
    )


@bp.route("/consultations/<slug>/publication", methods=["GET", "POST"])
@allows(Action.PUBLISH_RESULTS)
def publication(slug: str) -> WerkzeugResponse:
    consultation = _consultation(slug)
    if request.method == "GET":
        return _page(consultation)
    form = PublicationForm()
    if not form.validate_on_submit():
        return _page(consultation, details=form)
    publications.save_details(
        consultation, form.introduction.data or "", set(form.questions.data or []), current_user
    )
    flash(_("The published results are saved"), "success")
    return redirect(url_for(".publication", slug=slug), code=303)


@bp.post("/consultations/<slug>/publication/actions")
@allows(Action.PUBLISH_RESULTS)
def add_published_action(slug: str) -> WerkzeugResponse:
    consultation = _consultation(slug)
    form, outcomes = _action_form(consultation)
    if not form.validate_on_submit():
        return _page(consultation, action_form=form)
    publications.add_action(
        consultation,
        outcomes.get(form.outcome.data or ""),
        form.you_said.data or "",
        form.we_did.data or "",
        current_user,
    )
    flash(_("\u201cYou said, we did\u201d added"), "success")
    return redirect(url_for(".publication", slug=slug, _anchor="you-said-we-did"), code=303)


@bp.post("/consultations/<slug>/publication/actions/<int:action_id>/remove")
@allows(Action.PUBLISH_RESULTS)
def remove_published_action(slug: str, action_id: int) -> WerkzeugResponse:
    consultation = _consultation(slug)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if not publications.remove_action(consultation, action_id, current_user):
        abort(404)
    flash(_("\u201cYou said, we did\u201d removed"), "success")
    return redirect(url_for(".publication", slug=slug, _anchor="you-said-we-did"), code=303)


@bp.get("/consultations/<slug>/publication/publish")
@allows(Action.PUBLISH_RESULTS)
def confirm_publish_results(slug: str) -> WerkzeugResponse:
    """Are you sure? What publishing shows, and to whom, asked before the button."""
    consultation = _consultation(slug)
    publication = publications.publication_of(consultation)
    refusals = publications.refusals(consultation, publication, uk_today())
    if publication is not None and publication.published_at is not None:
        refusals = [_("They are already published")]
    return render_page(
        "officer/confirm/publish-results.html",
        consultation=consultation,
        publication=publication,
        form=ConfirmForm(),
        refusals=refusals,
    )


@bp.post("/consultations/<slug>/publication/publish")
@allows(Action.PUBLISH_RESULTS)
def publish_results(slug: str) -> WerkzeugResponse:
    consultation = _consultation(slug)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        publications.publish(consultation, current_user)
    except publications.PublishRefused as refused:
        for reason in refused.reasons:
            flash(reason, "error")
    else:
        flash(_("The results are published"), "success")
    return redirect(url_for(".publication", slug=slug), code=303)


@bp.post("/consultations/<slug>/publication/withdraw")
@allows(Action.PUBLISH_RESULTS)
def withdraw_results(slug: str) -> WerkzeugResponse:
    consultation = _consultation(slug)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    publications.unpublish(consultation, current_user)
    flash(_("The results are no longer public"), "success")
    return redirect(url_for(".publication", slug=slug), code=303)


@bp.get("/consultations/<slug>/publication/preview")
@allows(Action.PUBLISH_RESULTS)
def preview_results(slug: str) -> WerkzeugResponse:
    """The public page exactly as it will be, before (or after) publishing."""
    consultation = _consultation(slug)
    publication = publications.publication_of(consultation) or abort(404)
    return render_page(
        "public/results.html",
        results=publications.public_results(publication, consultation),
        preview=True,
    )

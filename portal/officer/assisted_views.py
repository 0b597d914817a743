"""Assisted digital: an officer keys in a paper or telephone response on a respondent's behalf.

The officer goes through the same journey as an online respondent (the same pages, checks and
check-answers), so a keyed-in response is validated and stored like any other; it is marked
with its channel and the officer who entered it, and counted like any other response.

A panel member answering on paper or by telephone quotes the code from their invitation: the
draft then carries the invitation, exactly as one started from the member's personal link does,
so the response uses the invitation up in its own transaction and counts in the panel's
response rates and weighting like an online answer.
"""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug import Response as WerkzeugResponse
from wtforms import RadioField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length

from portal import clock
from portal.accounts.permissions import Action, allows
from portal.consultations.models import Consultation
from portal.consultations.service import consultation_with_questions
from portal.extensions import db
from portal.forms import CsrfForm, PortalForm
from portal.officer import bp
from portal.panel import invitations
from portal.panel.models import Invitation
from portal.public.views import DRAFTS_KEY, draft_lifetime
from portal.rendering import render_page
from portal.responses import keyed_in, service
from portal.responses.journey import Journey
from portal.responses.models import ResponseChannel, ResponseDraft
from portal.responses.service import (
    AlreadySubmitted,
    ConsultationUnavailable,
    ResponseIncomplete,
)


class AssistedStartForm(PortalForm):
    channel = RadioField(
        _l("How did this response reach the council?"),
        choices=[
            SelectChoice(ResponseChannel.PAPER.value, _l("On a paper form")),
            SelectChoice(ResponseChannel.PHONE.value, _l("By telephone")),
        ],
        validators=[InputRequired(_l("Select how the response reached the council"))],
    )
    panel_code = StringField(
        _l("Panel member's code (optional)"),
        description=_l(
            "Only for a member of the Warwickshire Panel: the code on their "
            "invitation letter or email, like BCDFG23456"
        ),
        validators=[Length(max=20, message=_l("A panel member's code is 10 letters and numbers"))],
    )


def _invitation_id(form: AssistedStartForm, consultation: Consultation) -> int | None:
    """The invitation whose code was given, or None when none was; CodeRefused when the code
    cannot be used."""
    code = (form.panel_code.data or "").strip() if "panel_code" in form else ""
    if not code:
        return None
    return invitations.invitation_for_code(consultation, code).id


@bp.route("/consultations/<slug>/assisted", methods=["GET", "POST"])
@allows(Action.KEY_IN_RESPONSES)
def assisted_start(slug: str) -> WerkzeugResponse:
    consultation = consultation_with_questions(slug) or abort(404)
    form = AssistedStartForm()
    now = clock.utcnow()
    is_open = consultation.is_open_on(clock.uk_today(now))
    if not invitations.has_invitations(consultation):
        del form.panel_code  # nobody was invited, so nobody has a code to quote
    if is_open and form.validate_on_submit():
        try:
            invitation_id = _invitation_id(form, consultation)
        except invitations.CodeRefused as refused:
            form.panel_code.errors = [str(refused)]
            return _page(consultation, form, is_open)
        try:
            service.ensure_open(consultation, now)
        except ConsultationUnavailable:
            abort(409)
        draft = service.start_draft(
            consultation,
            now,
            draft_lifetime(),
            channel=ResponseChannel(form.channel.data),
            entered_by_id=current_user.id,
            invitation_id=invitation_id,
        )
        session[DRAFTS_KEY] = {**session.get(DRAFTS_KEY, {}), slug: draft.token}
        first = consultation.pages[0].position
        return redirect(url_for("public.question_page", slug=slug, number=first), code=303)
    return _page(consultation, form, is_open)


def _page(consultation: Consultation, form: AssistedStartForm, is_open: bool) -> WerkzeugResponse:
    has_errors = any(field.errors for field in form)
    return render_page(
        "officer/assisted.html",
        status=422 if has_errors else 200,
        consultation=consultation,
        form=form,
        is_open=is_open,
        max_age=current_app.config["DRAFT_LIFETIME_HOURS"],
    )


def _keyed_in_draft(slug: str) -> Journey[ResponseDraft]:
    """The officer's keyed-in draft of this consultation (posted from
    templates/public/invitation-used.html, which offers the choice)."""
    form = CsrfForm()
    if not form.validate_on_submit():
        abort(400)
    now = clock.utcnow()
    consultation, draft = service.load_journey(slug, session.get(DRAFTS_KEY, {}).get(slug), now)
    if consultation is None or draft is None or draft.entered_by_id is None:
        abort(404)
    return Journey(consultation, draft)


def _code_already_used(draft: ResponseDraft) -> bool:
    """Whether the draft's panel code was used by another response: only then may it be
    stored without it (a free code is used by sending the draft as it is)."""
    invitation = db.session.get(Invitation, draft.invitation_id) if draft.invitation_id else None
    return invitation is not None and invitation.responded_at is not None


@bp.post("/consultations/<slug>/assisted/store-without-code")
@allows(Action.KEY_IN_RESPONSES)
def assisted_store_without_code(slug: str) -> WerkzeugResponse:
    journey = _keyed_in_draft(slug)
    if journey.draft.response_id is None:
        if not _code_already_used(journey.draft):
            abort(409)
        try:
            service.ensure_open(journey.consultation, clock.utcnow())
        except ConsultationUnavailable:
            abort(409)
        try:
            keyed_in.store_without_code(journey, clock.utcnow(), current_user)
        except ResponseIncomplete as incomplete:
            return redirect(
                url_for("public.question_page", slug=slug, number=incomplete.page.position),
                code=303,
            )
        except AlreadySubmitted:
            pass  # a double click: the first stored it
    return redirect(url_for("public.confirmation", slug=slug), code=303)


@bp.post("/consultations/<slug>/assisted/discard")
@allows(Action.KEY_IN_RESPONSES)
def assisted_discard(slug: str) -> WerkzeugResponse:
    # Any keyed-in draft may be discarded, with its code or without it.
    journey = _keyed_in_draft(slug)
    if journey.draft.response_id is None:
        keyed_in.discard(journey.draft)
        flash(_("The answers you keyed in were discarded: nothing was stored"), "success")
    session[DRAFTS_KEY] = {k: v for k, v in session.get(DRAFTS_KEY, {}).items() if k != slug}
    return redirect(url_for(".assisted_start", slug=slug), code=303)

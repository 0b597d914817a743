"""Assisted digital: an officer keys in a paper or telephone response on a respondent's behalf.

The officer goes through the same journey as an online respondent (the same pages, checks and
check-answers), so a keyed-in response is validated and stored like any other; it is marked
with its channel and the officer who entered it, and counted like any other response.
"""

from __future__ import annotations

from flask import abort, current_app, redirect, session, url_for
from flask_login import current_user
from werkzeug import Response as WerkzeugResponse
from wtforms import RadioField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired

from portal.accounts.permissions import Action, allows
from portal.consultations.service import consultation_with_questions
from portal.forms import PortalForm
from portal.officer import bp
from portal.public.views import DRAFTS_KEY, draft_lifetime
from portal.rendering import render_page
from portal.responses import service
from portal.responses.models import ResponseChannel
from portal.responses.service import ConsultationUnavailable


class AssistedStartForm(PortalForm):
    channel = RadioField(
        "How did this response reach the council?",
        choices=[
            SelectChoice(ResponseChannel.PAPER.value, "On a paper form"),
            SelectChoice(ResponseChannel.PHONE.value, "By telephone"),
        ],
        validators=[InputRequired("Select how the response reached the council")],
    )


@bp.route("/consultations/<slug>/assisted", methods=["GET", "POST"])
@allows(Action.KEY_IN_RESPONSES)
def assisted_start(slug: str) -> WerkzeugResponse:
    consultation = consultation_with_questions(slug) or abort(404)
    form = AssistedStartForm()
    now = service.utcnow()
    is_open = consultation.is_open_on(service.uk_today(now))
    if is_open and form.validate_on_submit():
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
        )
        session[DRAFTS_KEY] = {**session.get(DRAFTS_KEY, {}), slug: draft.token}
        first = consultation.pages[0].position
        return redirect(url_for("public.question_page", slug=slug, number=first), code=303)
    return render_page(
        "officer/assisted.html",
        status=422 if form.errors else 200,
        consultation=consultation,
        form=form,
        is_open=is_open,
        max_age=current_app.config["DRAFT_LIFETIME_HOURS"],
    )

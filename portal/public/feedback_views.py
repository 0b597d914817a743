""" "What did you think of this service?": the feedback page linked from the confirmation page.

The feedback is kept apart from the response (portal/feedback/models.py): this view reads
nothing from the respondent's session, so it cannot pass on their draft or reference even by
mistake.
"""

from __future__ import annotations

from flask import abort, current_app, redirect, request, url_for
from werkzeug import Response as WerkzeugResponse

from portal.accounts.permissions import Action, allows
from portal.clock import uk_today
from portal.consultations.models import Consultation, ConsultationStatus
from portal.consultations.service import consultation_for_journey
from portal.extensions import limiter
from portal.feedback import service as feedback
from portal.public import bp
from portal.public.feedback_forms import FeedbackForm
from portal.public.forms import honeypot_filled
from portal.public.language_views import in_chosen_language
from portal.rendering import render_page


def _consultation_taking_feedback(slug: str) -> Consultation:
    """A published consultation whose personal details have not been erased (feedback given
    after that would outlive the retention period its privacy notice promises), in the
    respondent's language."""
    consultation = consultation_for_journey(slug)
    if (
        consultation is None
        or consultation.status == ConsultationStatus.DRAFT
        or consultation.personal_data_erased_on is not None
    ):
        abort(404)
    return in_chosen_language(consultation)


@bp.route("/consultations/<slug>/feedback", methods=["GET", "POST"])
# The same limit as sending a response: nobody gives feedback faster than they can answer.
@limiter.limit(lambda: current_app.config["SUBMISSION_RATE_LIMIT"], methods=["POST"])
@allows(Action.RESPOND)
def give_feedback(slug: str) -> WerkzeugResponse:
    consultation = _consultation_taking_feedback(slug)
    if request.method == "POST" and honeypot_filled(request.form):
        abort(400)
    form = FeedbackForm()
    if form.validate_on_submit():
        feedback.record_feedback(consultation, form.satisfaction, form.comment.data, uk_today())
        return redirect(url_for("public.feedback_sent", slug=slug), code=303)
    return render_page(
        "public/feedback.html",
        status=422 if form.errors else 200,
        consultation=consultation,
        form=form,
        max_length=feedback.COMMENT_MAX_LENGTH,
    )


@bp.get("/consultations/<slug>/feedback/sent")
@allows(Action.RESPOND)
def feedback_sent(slug: str) -> WerkzeugResponse:
    return render_page(
        "public/feedback-sent.html", consultation=_consultation_taking_feedback(slug)
    )

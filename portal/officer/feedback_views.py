"""What respondents thought of the service: ratings counted and comments to read, for every
consultation or one."""

from __future__ import annotations

from flask import abort
from werkzeug import Response as WerkzeugResponse

from portal.accounts.permissions import Action, allows
from portal.consultations.models import Consultation
from portal.consultations.service import consultation_for_journey
from portal.feedback import service as feedback
from portal.officer import bp, page_number
from portal.rendering import render_page


@bp.get("/feedback")
@allows(Action.READ_RESULTS)
def service_feedback() -> WerkzeugResponse:
    return _feedback_page(None)


@bp.get("/consultations/<slug>/feedback")
@allows(Action.READ_RESULTS)
def consultation_feedback(slug: str) -> WerkzeugResponse:
    return _feedback_page(consultation_for_journey(slug) or abort(404))


def _feedback_page(consultation: Consultation | None) -> WerkzeugResponse:
    page = page_number()
    comments, total = feedback.comment_page(consultation, page)
    pages = max(1, -(-total // feedback.COMMENTS_PER_PAGE))
    if page > pages:
        abort(404)
    return render_page(
        "officer/feedback.html",
        consultation=consultation,
        summary=feedback.summary(consultation),
        by_consultation=feedback.counts_by_consultation() if consultation is None else [],
        comments=comments,
        total_comments=total,
        page=page,
        pages=pages,
    )

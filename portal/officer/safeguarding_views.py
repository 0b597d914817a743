"""The safeguarding queue: comments with a consultation's safeguarding words, for an officer to
read and record what they did. The portal takes no action itself (docs/safeguarding.md)."""

from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug import Response as WerkzeugResponse

from portal.accounts.permissions import Action, allows
from portal.officer import bp, page_number
from portal.officer.forms import ReviewForm
from portal.rendering import render_page
from portal.safeguarding import service as safeguarding
from portal.safeguarding.terms import segments


@bp.get("/safeguarding")
@allows(Action.REVIEW_SAFEGUARDING)
def safeguarding_queue() -> WerkzeugResponse:
    reviewed = request.args.get("show") == "reviewed"
    flags, total = safeguarding.queue(reviewed, page_number())
    return render_page(
        "officer/safeguarding.html",
        flags=flags,
        total=total,
        reviewed=reviewed,
        page=page_number(),
        per_page=safeguarding.PER_PAGE,
        segments=segments,
        form=ReviewForm(),
    )


@bp.route("/safeguarding/<int:answer_id>", methods=["GET", "POST"])
@allows(Action.REVIEW_SAFEGUARDING)
def safeguarding_flag(answer_id: int) -> WerkzeugResponse:
    flag = safeguarding.find_flag(answer_id) or abort(404)
    form = ReviewForm()
    if flag.reviewed_at is None and form.validate_on_submit():
        safeguarding.mark_reviewed(flag, form.note.data or "", current_user)
        flash(_("Marked as reviewed"), "success")
        return redirect(url_for(".safeguarding_queue"), code=303)
    return render_page(
        "officer/safeguarding-flag.html",
        status=422 if form.errors else 200,
        flag=flag,
        form=form,
        segments=segments,
    )

"""A panel member leaves the panel through the link in any invitation."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort
from werkzeug import Response as WerkzeugResponse

from portal.extensions import db
from portal.panel import service
from portal.panel.models import MemberStatus, PanelMember
from portal.public import bp
from portal.public.forms import StartForm
from portal.rendering import render_page
from portal.responses.service import uk_today


@bp.route("/panel/leave/<token>", methods=["GET", "POST"])
def leave_panel(token: str) -> WerkzeugResponse:
    """Ask first (a GET changes nothing, so a link checker cannot remove anyone), then leave."""
    member = (
        db.session.scalar(sa.select(PanelMember).where(PanelMember.leave_token == token))
        if len(token) <= 64
        else None
    )
    if member is None:
        abort(404)
    form = StartForm()
    if member.status == MemberStatus.ACTIVE and form.validate_on_submit():
        service.leave(token, uk_today())
    return render_page(
        "public/leave-panel.html",
        form=form,
        left=member.status == MemberStatus.LEFT,
        groups=[group.name for group in member.groups],
    )

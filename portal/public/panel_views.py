"""A panel member leaves the panel through the link in any invitation."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, redirect, session, url_for
from werkzeug import Response as WerkzeugResponse

from portal.accounts.permissions import Action, allows
from portal.clock import uk_today
from portal.consultations.models import Consultation, ConsultationStatus
from portal.extensions import db
from portal.panel import invitations, service
from portal.panel.models import Invitation, MemberStatus, PanelMember
from portal.public import bp
from portal.public.forms import StartForm
from portal.rendering import render_page


@bp.route("/panel/leave/<token>", methods=["GET", "POST"])
@allows(Action.RESPOND)
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


# consultation slug -> the invitation whose personal link the respondent followed.
INVITATIONS_KEY = "invitations"


@bp.get("/i/<code>")
@allows(Action.RESPOND)
def invitation_link(code: str) -> WerkzeugResponse:
    """A panel member's personal link: remember it, then the consultation's start page. A link
    already used, or a member who has left, gets a kind explanation instead."""
    invitation = invitations.find(code)
    if invitation is None:
        abort(404)
    consultation = invitation.member and db.session.get(Consultation, invitation.consultation_id)
    if consultation is None or consultation.status == ConsultationStatus.DRAFT:
        abort(404)
    if invitation.responded_at is not None or invitation.member.status == MemberStatus.LEFT:
        return render_page(
            "public/invitation-used.html",
            consultation=consultation,
            left=invitation.member.status == MemberStatus.LEFT,
        )
    session[INVITATIONS_KEY] = {
        **session.get(INVITATIONS_KEY, {}),
        consultation.slug: invitation.id,
    }
    return redirect(url_for("public.start", slug=consultation.slug), code=303)


class InvitationAlreadyUsed(Exception):
    """This browser came by a personal link that has since brought a response."""


def invitation_for(consultation: Consultation) -> int | None:
    """The invitation the respondent arrived by for this consultation, if any.

    Raises InvitationAlreadyUsed when it has already brought a response: the member is told so
    rather than starting again without it.
    """
    invitation_id = session.get(INVITATIONS_KEY, {}).get(consultation.slug)
    if invitation_id is None:
        return None
    row = db.session.execute(
        sa.select(Invitation.id, Invitation.responded_at).where(
            Invitation.id == invitation_id, Invitation.consultation_id == consultation.id
        )
    ).first()
    if row is None:
        return None
    if row.responded_at is not None:
        raise InvitationAlreadyUsed()
    return int(row.id)

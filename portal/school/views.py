"""A school user sees only its own school's channels. Every view checks the channel's school
against the user's: changing a code in the address gives 403, never another school's page."""

from __future__ import annotations

from flask import abort, request
from flask_login import current_user
from werkzeug import Response as WerkzeugResponse

from portal.accounts.permissions import Action, allows
from portal.clock import uk_today, utcnow
from portal.extensions import db
from portal.rendering import render_page
from portal.school import bp
from portal.schools import pages, service
from portal.schools.models import DistributionChannel, School
from portal.suppression import rate_per_100, suppress_count


def _own_channel(code: str) -> DistributionChannel:
    channel = service.channel_by_code(code) if len(code) <= 16 else None
    if channel is None:
        abort(404)
    if current_user.school_id is None or channel.school_id != current_user.school_id:
        abort(403)
    return channel


@bp.get("/")
@allows(Action.SEE_OWN_SCHOOL)
def dashboard() -> WerkzeugResponse:
    school = db.session.get(School, current_user.school_id) if current_user.school_id else None
    channels = service.school_channels(school.id) if school else []
    counts = service.responses_by_channel(c.id for c in channels)
    rows = []
    for channel in channels:
        figure = suppress_count(counts.get(channel.id, 0))
        rows.append((channel, figure, rate_per_100(figure, school.pupils if school else 0)))
    return render_page("school/dashboard.html", school=school, rows=rows, today=uk_today())


@bp.get("/channels/<channel_code>")
@allows(Action.SEE_OWN_SCHOOL)
def channel(channel_code: str) -> WerkzeugResponse:
    return pages.render_channel(
        _own_channel(channel_code), exact=False, now=utcnow(), audience="school"
    )


@bp.get("/channels/<channel_code>/letter")
@allows(Action.SEE_OWN_SCHOOL)
def letter(channel_code: str) -> WerkzeugResponse:
    return pages.render_letter(
        _own_channel(channel_code),
        audience="school",
        asked_language=request.args.get("language"),
    )


@bp.get("/channels/<channel_code>/qr.<file_type>")
@allows(Action.SEE_OWN_SCHOOL)
def qr(channel_code: str, file_type: str) -> WerkzeugResponse:
    if file_type not in ("svg", "png"):
        abort(404)
    channel = _own_channel(channel_code)
    language = pages.letter_language(channel, request.args.get("language"))
    return pages.qr_response(channel, file_type, language)

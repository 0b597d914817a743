"""About the service: a privacy notice for each audience, and the accessibility statement."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort
from flask_babel import lazy_gettext as _l
from werkzeug import Response as WerkzeugResponse

from portal import i18n
from portal.accounts.permissions import Action, allows
from portal.consultations.models import Consultation, ConsultationStatus
from portal.extensions import db
from portal.public import bp
from portal.rendering import render_page

# The audiences with a notice of their own: address part -> heading.
AUDIENCES = {
    "parents": _l("Parents and carers, and anyone answering a consultation"),
    "panel-members": _l("Members of the Warwickshire Panel and user groups"),
    "schools": _l("School staff"),
}


def _in_chosen_language() -> None:
    """These pages are the portal's own words, which its catalogues hold whole: a respondent
    who chose Polish in a consultation reads its privacy notice in Polish too, and the header
    offers every language the portal speaks."""
    i18n.use_language(i18n.chosen_language(), tuple(i18n.LANGUAGES))


@bp.get("/privacy")
@allows(Action.READ_ABOUT_THE_SERVICE)
def privacy_index() -> WerkzeugResponse:
    _in_chosen_language()
    return render_page("public/privacy-index.html", audiences=AUDIENCES)


@bp.get("/privacy/<audience>")
@allows(Action.READ_ABOUT_THE_SERVICE)
def privacy_notice(audience: str) -> WerkzeugResponse:
    if audience not in AUDIENCES:
        abort(404)
    _in_chosen_language()
    # How long each consultation keeps personal details is set per consultation, so the
    # notice reads it rather than repeating a figure that could drift.
    consultations = db.session.scalars(
        sa.select(Consultation)
        .where(Consultation.status != ConsultationStatus.DRAFT)
        .order_by(Consultation.title)
    ).all()
    return render_page(
        f"public/privacy-{audience}.html",
        audience=audience,
        heading=AUDIENCES[audience],
        audiences=AUDIENCES,
        consultations=consultations,
    )


@bp.get("/accessibility")
@allows(Action.READ_ABOUT_THE_SERVICE)
def accessibility_statement() -> WerkzeugResponse:
    _in_chosen_language()
    return render_page("public/accessibility.html")

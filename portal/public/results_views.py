"""Published results: the list of consultations whose results an officer has published, and
each one's results as published (small numbers hidden)."""

from __future__ import annotations

from flask import abort
from werkzeug import Response as WerkzeugResponse

from portal.accounts.permissions import Action, allows
from portal.consultations.service import consultation_for_journey
from portal.public import bp
from portal.publications import service as publications
from portal.rendering import render_page


@bp.get("/results")
@allows(Action.READ_PUBLISHED_RESULTS)
def results_index() -> WerkzeugResponse:
    return render_page("public/results-index.html", publications=publications.published())


@bp.get("/results/<slug>")
@allows(Action.READ_PUBLISHED_RESULTS)
def published_results(slug: str) -> WerkzeugResponse:
    """A closed consultation's results, as an officer published them; small numbers hidden."""
    publication = publications.published_for(slug) or abort(404)
    consultation = consultation_for_journey(slug) or abort(404)
    return render_page(
        "public/results.html",
        results=publications.public_results(publication, consultation),
        preview=False,
    )

"""Pages for council officers (and admins): dashboard, results, the strategy."""

from flask import Blueprint, abort, request

from portal.accounts.permissions import OFFICER_ROLES, restrict_blueprint
from portal.url_values import LARGEST_PAGE, whole_number

bp = Blueprint("officer", __name__, url_prefix="/officer")
restrict_blueprint(bp, OFFICER_ROLES)


def page_number() -> int:
    """The ?page= of a paginated list: 1 when not given; a page that cannot exist (not a
    whole number from 1, or past any list's end) is not found."""
    raw = request.args.get("page")
    if raw is None or raw == "":
        return 1
    page = whole_number(raw, LARGEST_PAGE)
    if not page:
        abort(404)
    return page


from portal.officer import (  # noqa: E402, F401
    assisted_views,
    builder_views,
    comment_views,
    distribution_views,
    feedback_views,
    panel_views,
    preview_views,
    publication_views,
    question_builder_views,
    response_views,
    results_views,
    safeguarding_views,
    school_views,
    translation_views,
    views,
    wave_export_views,
    wave_views,
)

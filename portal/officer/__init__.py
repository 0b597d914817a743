"""Pages for council officers (and admins): dashboard, results, the strategy."""

from flask import Blueprint, request

from portal.accounts.permissions import OFFICER_ROLES, restrict_blueprint

bp = Blueprint("officer", __name__, url_prefix="/officer")
restrict_blueprint(bp, OFFICER_ROLES)


def page_number() -> int:
    """The ?page= of a paginated list: a whole number from 1, else 1."""
    raw = request.args.get("page", "1")
    return int(raw) if raw.isdigit() and int(raw) > 0 else 1


from portal.officer import (  # noqa: E402, F401
    assisted_views,
    builder_views,
    comment_views,
    distribution_views,
    panel_views,
    preview_views,
    publication_views,
    question_builder_views,
    results_views,
    safeguarding_views,
    views,
)

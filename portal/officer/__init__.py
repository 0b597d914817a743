"""Pages for council officers (and admins): dashboard, results, the strategy."""

from flask import Blueprint

from portal.accounts.permissions import OFFICER_ROLES, restrict_blueprint

bp = Blueprint("officer", __name__, url_prefix="/officer")
restrict_blueprint(bp, OFFICER_ROLES)

from portal.officer import (  # noqa: E402, F401
    assisted_views,
    builder_views,
    distribution_views,
    panel_views,
    preview_views,
    views,
)

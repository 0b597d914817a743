"""Pages for administrators only."""

from flask import Blueprint

from portal.accounts.permissions import ADMIN_ROLES, restrict_blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")
restrict_blueprint(bp, ADMIN_ROLES)

from portal.admin import account_views, views  # noqa: E402, F401

"""Sign in and sign out for staff (officers, admins and schools)."""

from flask import Blueprint

bp = Blueprint("auth", __name__, url_prefix="/staff")

from portal.auth import password_views, two_factor_views, views  # noqa: E402, F401

"""Pages for school staff: their own school's links and response counts, never answers."""

from flask import Blueprint

from portal.accounts.permissions import SCHOOL_ROLES, restrict_blueprint

bp = Blueprint("school", __name__, url_prefix="/school")
restrict_blueprint(bp, SCHOOL_ROLES)

from portal.school import views  # noqa: E402, F401

"""Pages for school staff: their own school's links and response counts, never answers."""

from flask import Blueprint

from portal.accounts.models import Role
from portal.accounts.permissions import restrict_blueprint

bp = Blueprint("school", __name__, url_prefix="/school")
restrict_blueprint(bp, frozenset({Role.SCHOOL}))

from portal.school import views  # noqa: E402, F401

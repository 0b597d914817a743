"""Pages for residents: the list of open consultations and the journey through one."""

from flask import Blueprint

bp = Blueprint("public", __name__)

from portal.public import about_views, panel_views, paper_views, views  # noqa: E402, F401

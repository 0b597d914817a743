from __future__ import annotations

from werkzeug import Response as WerkzeugResponse

from portal.accounts import service as accounts
from portal.accounts.models import Role
from portal.accounts.permissions import requires_role
from portal.admin import bp
from portal.rendering import render_page


@bp.get("/users")
@requires_role(Role.ADMIN)
def users() -> WerkzeugResponse:
    return render_page("admin/users.html", users=accounts.list_users())

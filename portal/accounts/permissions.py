"""Who may do what: one table of actions and the roles allowed each, read by every view and by
the test that walks every route as every role and as a signed-out visitor.

Every view names its action with `@allows(...)`; a staff blueprint also refuses the wrong roles
before any view runs, so a view moved between blueprints cannot silently open up. Signed-out
visitors asking for a staff action are sent to sign in; signed-in users of the wrong role get 403.
Which school's data a school user may see is checked by the views themselves (object level).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from enum import StrEnum
from functools import wraps
from typing import Any, TypeVar

from flask import Blueprint, abort, current_app
from flask_login import current_user

from portal.accounts.models import Role
from portal.extensions import login_manager

View = TypeVar("View", bound=Callable[..., Any])


class Action(StrEnum):
    # Anyone, signed in or not.
    RESPOND = "respond to a consultation"
    READ_PUBLISHED_RESULTS = "read published results"
    SIGN_IN = "sign in and out, and reset a forgotten password by email"
    READ_ABOUT_THE_SERVICE = "read the privacy notices and the accessibility statement"
    CHECK_HEALTH = "ask whether the service and its database are up"
    # Every member of staff, for their own account.
    CHANGE_OWN_PASSWORD = "change their own password"  # noqa: S105 (an action)
    # Officers and admins, for their own account.
    MANAGE_TWO_FACTOR = "turn two-factor authentication on or off and make recovery codes"
    # School staff.
    SEE_OWN_SCHOOL = "see their own school's links and response counts"
    # Officers (and admins, who can do everything an officer can).
    SEE_DASHBOARD = "see the consultations dashboard"
    READ_STRATEGY = "read the strategy and its indicators"
    RECORD_INDICATOR = "record an indicator value"
    BUILD_CONSULTATION = "build, preview, open and close consultations"
    DISTRIBUTE = "make links for schools and outlets, and school accounts"
    MANAGE_SCHOOLS = "list, add, change, close and import schools"
    MANAGE_PANEL = "manage panel members and invitations"
    KEY_IN_RESPONSES = "key in paper and phone responses"
    READ_RESULTS = "read results, comments and the committee report"
    EXPORT_RESPONSES = "download responses and summaries"
    ANALYSE_COMMENTS = "tag comments with themes and mark quotes"
    PUBLISH_RESULTS = "publish and withdraw results"
    REVIEW_SAFEGUARDING = "review safeguarding flags"
    FIND_RESPONSES = "find a response by its reference, correct it or withdraw it"
    # Admins only.
    MANAGE_USERS = "create, disable and re-enable staff accounts"
    READ_AUDIT_LOG = "read and download the audit log"


# A signed-out visitor: the row of the table for someone with no role.
SIGNED_OUT = None
AnyRole = Role | None

_ANYONE: frozenset[AnyRole] = frozenset({SIGNED_OUT, *Role})
_STAFF: frozenset[AnyRole] = frozenset(Role)
_SCHOOL: frozenset[AnyRole] = frozenset({Role.SCHOOL})
_OFFICERS: frozenset[AnyRole] = frozenset({Role.OFFICER, Role.ADMIN})
_ADMINS: frozenset[AnyRole] = frozenset({Role.ADMIN})

PERMISSIONS: Mapping[Action, frozenset[AnyRole]] = {
    Action.RESPOND: _ANYONE,
    Action.READ_PUBLISHED_RESULTS: _ANYONE,
    Action.SIGN_IN: _ANYONE,
    Action.READ_ABOUT_THE_SERVICE: _ANYONE,
    Action.CHECK_HEALTH: _ANYONE,
    Action.CHANGE_OWN_PASSWORD: _STAFF,
    Action.MANAGE_TWO_FACTOR: _OFFICERS,
    Action.SEE_OWN_SCHOOL: _SCHOOL,
    Action.SEE_DASHBOARD: _OFFICERS,
    Action.READ_STRATEGY: _OFFICERS,
    Action.RECORD_INDICATOR: _OFFICERS,
    Action.BUILD_CONSULTATION: _OFFICERS,
    Action.DISTRIBUTE: _OFFICERS,
    Action.MANAGE_SCHOOLS: _OFFICERS,
    Action.MANAGE_PANEL: _OFFICERS,
    Action.KEY_IN_RESPONSES: _OFFICERS,
    Action.READ_RESULTS: _OFFICERS,
    Action.EXPORT_RESPONSES: _OFFICERS,
    Action.ANALYSE_COMMENTS: _OFFICERS,
    Action.PUBLISH_RESULTS: _OFFICERS,
    Action.REVIEW_SAFEGUARDING: _OFFICERS,
    Action.FIND_RESPONSES: _OFFICERS,
    Action.MANAGE_USERS: _ADMINS,
    Action.READ_AUDIT_LOG: _ADMINS,
}

# The roles each staff blueprint lets in at all: every role some action of its views allows.
OFFICER_ROLES = frozenset({Role.OFFICER, Role.ADMIN})
ADMIN_ROLES = frozenset({Role.ADMIN})
SCHOOL_ROLES = frozenset({Role.SCHOOL})


def may(role: AnyRole, action: Action) -> bool:
    return role in PERMISSIONS[action]


def action_of(view: Callable[..., Any]) -> Action | None:
    """The action a view declared with `allows`, or None for one that declared none."""
    return getattr(view, "action", None)


def may_open(role: AnyRole, endpoint: str) -> bool:
    """Whether `role` may open the page at `endpoint` (for showing or hiding links to it)."""
    action = action_of(current_app.view_functions[endpoint])
    return action is not None and may(role, action)


def _current_role() -> AnyRole:
    return current_user.role if current_user.is_authenticated else SIGNED_OUT


def _refuse_unless(allowed: frozenset[AnyRole]) -> Any:
    """None when the current user is allowed; otherwise the answer to give them."""
    role = _current_role()
    if role in allowed:
        return None
    if role is SIGNED_OUT:
        return login_manager.unauthorized()
    abort(403)


def allows(action: Action) -> Callable[[View], View]:
    """Declare the action a view performs; refuse anyone the table does not allow it."""
    allowed = PERMISSIONS[action]

    def decorator(view: View) -> View:
        @wraps(view)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            refusal = _refuse_unless(allowed)
            if refusal is not None:
                return refusal
            return view(*args, **kwargs)

        guarded.action = action  # type: ignore[attr-defined]  # read by the access test
        return guarded  # type: ignore[return-value]

    return decorator


def restrict_blueprint(blueprint: Blueprint, roles: frozenset[Role]) -> None:
    allowed: frozenset[AnyRole] = frozenset(roles)

    @blueprint.before_request
    def _require_role() -> Any:
        return _refuse_unless(allowed)

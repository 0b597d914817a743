"""Who may see what. Every staff view is guarded twice: its blueprint refuses the wrong roles
before any view runs, and each view names its roles, so a view moved between blueprints keeps
its rule. Anonymous users are sent to sign in; signed-in users of the wrong role get 403.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import Blueprint, abort
from flask_login import current_user

from portal.accounts.models import Role
from portal.extensions import login_manager

View = TypeVar("View", bound=Callable[..., Any])

OFFICER_ROLES = frozenset({Role.OFFICER, Role.ADMIN})
ADMIN_ROLES = frozenset({Role.ADMIN})


def _check(roles: frozenset[Role]) -> Any:
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    if current_user.role not in roles:
        abort(403)
    return None


def requires_role(*roles: Role) -> Callable[[View], View]:
    allowed = frozenset(roles)

    def decorator(view: View) -> View:
        @wraps(view)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            refusal = _check(allowed)
            if refusal is not None:
                return refusal
            return view(*args, **kwargs)

        guarded.allowed_roles = allowed  # type: ignore[attr-defined]  # read by the access test
        return guarded  # type: ignore[return-value]

    return decorator


def restrict_blueprint(blueprint: Blueprint, roles: frozenset[Role]) -> None:
    @blueprint.before_request
    def _require_role() -> Any:
        return _check(roles)

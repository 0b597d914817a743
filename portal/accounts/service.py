"""Creating, finding and checking staff accounts."""

from __future__ import annotations

import re
import secrets

import sqlalchemy as sa
from flask_babel import gettext as _
from werkzeug.security import generate_password_hash

from portal.accounts.models import PasswordLink, Role, SignInLock, User
from portal.audit import AuditEntry, add_audit_entry
from portal.clock import utcnow
from portal.extensions import db

MIN_PASSWORD_LENGTH = 12
EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class AccountError(ValueError):
    """A reason an account cannot be created or changed, in words fit to show."""


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_user(email: str) -> User | None:
    return db.session.scalar(sa.select(User).where(User.email == normalise_email(email)))


def create_user(
    email: str,
    password: str,
    role: Role | str,
    school_id: int | None = None,
    by: User | None = None,
) -> User:
    """A new staff account; `by` is who created it (None: the command line or a seed)."""
    user = add_user(email, password, role, school_id, by)
    db.session.commit()
    return user


def add_user(
    email: str, password: str, role: Role | str, school_id: int | None, by: User | None
) -> User:
    """create_user in the caller's transaction (not committed): checked, added and audited."""
    email = normalise_email(email)
    if not EMAIL_PATTERN.match(email):
        raise AccountError(_("%(email)s is not an email address", email=repr(email)))
    check_password_rule(password)
    try:
        role = Role(role)
    except ValueError:
        raise AccountError(
            _("The role must be one of %(roles)s", roles=", ".join(r.value for r in Role))
        ) from None
    if find_user(email) is not None:
        raise AccountError(_("An account for %(email)s already exists", email=email))
    if (role == Role.SCHOOL) != (school_id is not None):
        raise AccountError(
            _("A school account needs its school, and only a school account has one")
        )
    user = User(
        email=email, password_hash=generate_password_hash(password), role=role, school_id=school_id
    )
    db.session.add(user)
    db.session.flush()  # its id, for a password link made in the same transaction
    add_audit_entry(by, "created account", f"user:{email}", f"role {role.value}")
    return user


def check_password_rule(password: str) -> None:
    """The one rule on passwords, wherever one is set (the portal, the command line)."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(
            _("The password must be at least %(count)s characters", count=MIN_PASSWORD_LENGTH)
        )


def set_disabled(email: str, disabled: bool = True, by: User | None = None) -> User:
    """Disable (or re-enable) an account; `by` is who did it (None: the command line)."""
    user = find_user(email)
    if user is None:
        raise AccountError(_("There is no account for %(email)s", email=normalise_email(email)))
    if disabled:
        disable(user)
    else:
        if user.school is not None and not user.school.is_open:
            # Closing the school disabled it; the school is reopened first (by the command
            # line too), so its accounts and links stay in step.
            raise AccountError(
                _(
                    "%(school)s is closed, so its accounts stay disabled: reopen the school first",
                    school=user.school.name,
                )
            )
        user.disabled = False
    add_audit_entry(by, "disabled account" if disabled else "enabled account", f"user:{user.email}")
    db.session.commit()
    return user


def set_password(email: str, password: str, by: User | None = None) -> User:
    """Give an account a new password; every session signed in with the old one ends (someone
    who learnt it may be signed in). `by` is who did it (None: the command line)."""
    user = find_user(email)
    if user is None:
        raise AccountError(_("There is no account for %(email)s", email=normalise_email(email)))
    give_password(user, password)
    add_audit_entry(by, "changed password", f"user:{user.email}", "every session ended")
    db.session.commit()
    return user


def give_password(user: User, password: str) -> None:
    """A new password for `user`, in the caller's transaction: every session signed in before
    ends, and the sign-in locks earned by guessing the old password (or codes with it) lift."""
    check_password_rule(password)
    user.password_hash = generate_password_hash(password)
    user.end_sessions()
    clear_failures(user)
    # A link to set a password, sent before, must not undo this one.
    void_password_links(user)


def void_password_links(user: User) -> None:
    """Use up every unused link to set the account's password, in the caller's transaction."""
    db.session.execute(
        sa.update(PasswordLink)
        .where(PasswordLink.user_id == user.id, PasswordLink.used_at.is_(None))
        .values(used_at=utcnow())
        .execution_options(synchronize_session=False)
    )


def disable(user: User) -> None:
    """Disable the account in the caller's transaction (the caller audits why): signed out
    everywhere, and its unused password links voided, so that enabling it again does not bring
    back a link sent before (perhaps to whoever it was disabled against)."""
    user.disabled = True
    user.end_sessions()
    void_password_links(user)


def sign_out_everywhere(user: User, why: str) -> None:
    """End every session of the account, this one and any other (a copied cookie too)."""
    user.end_sessions()
    record_sign_in_event(user.email, user, why, "every session of the account ended")
    db.session.commit()


def list_users() -> list[User]:
    return list(db.session.scalars(sa.select(User).order_by(User.role, User.email)))


def generate_password() -> str:
    return secrets.token_urlsafe(15)


def users_of_school(school_id: int) -> list[User]:
    return list(
        db.session.scalars(sa.select(User).where(User.school_id == school_id).order_by(User.email))
    )


def record_sign_in_event(email: str, user: User | None, action: str, detail: str = "") -> None:
    """A sign-in event in the audit log, in the caller's transaction: who tried (the address
    typed, which may have no account), and what happened."""
    db.session.add(
        AuditEntry(
            at=utcnow(),
            user_id=user.id if user is not None else None,
            user_email=normalise_email(email)[:254],
            action=action,
            subject=f"user:{normalise_email(email)}"[:100],
            detail=detail,
        )
    )


def clear_failures(user: User, places: list[str] | None = None) -> None:
    """Forget the wrong attempts (and lift the locks) for `places`, or for every place."""
    clearing = sa.delete(SignInLock).where(SignInLock.user_id == user.id)
    if places is not None:
        clearing = clearing.where(SignInLock.place.in_(places))
    db.session.execute(clearing.execution_options(synchronize_session=False))

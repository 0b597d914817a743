"""Creating, finding and checking staff accounts."""

from __future__ import annotations

import re
import secrets
from datetime import datetime, timedelta

import sqlalchemy as sa
from werkzeug.security import check_password_hash, generate_password_hash

from portal.accounts import two_factor
from portal.accounts.models import Role, User
from portal.audit import add_audit_entry
from portal.extensions import db
from portal.panel.models import AuditEntry
from portal.responses.service import utcnow

MIN_PASSWORD_LENGTH = 12
EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
# Compared against when no such account exists, so a wrong email costs as long as a wrong
# password and response times do not reveal which addresses have accounts.
_DUMMY_HASH = generate_password_hash(secrets.token_hex(16))


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
    email = normalise_email(email)
    if not EMAIL_PATTERN.match(email):
        raise AccountError(f"{email!r} is not an email address")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"The password must be at least {MIN_PASSWORD_LENGTH} characters")
    try:
        role = Role(role)
    except ValueError:
        raise AccountError(f"The role must be one of {', '.join(r.value for r in Role)}") from None
    if find_user(email) is not None:
        raise AccountError(f"An account for {email} already exists")
    if (role == Role.SCHOOL) != (school_id is not None):
        raise AccountError("A school account needs its school, and only a school account has one")
    user = User(
        email=email, password_hash=generate_password_hash(password), role=role, school_id=school_id
    )
    db.session.add(user)
    add_audit_entry(by, "created account", f"user:{email}", f"role {role.value}")
    db.session.commit()
    return user


# After this many wrong passwords in a row an account is locked: 15 minutes, then twice as
# long for each further wrong password once it opens again, up to a day.
LOCK_AFTER = 5
FIRST_LOCK = timedelta(minutes=15)
LONGEST_LOCK = timedelta(days=1)


def _lock_for(failures: int) -> timedelta:
    return min(FIRST_LOCK * 2 ** (failures - LOCK_AFTER), LONGEST_LOCK)


def _record(email: str, user: User | None, action: str, detail: str = "") -> None:
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


def authenticate(email: str, password: str) -> User | None:
    """The active, unlocked user with this email and password, or None, taking the same time
    either way. Every attempt is written to the audit log; repeated wrong passwords lock the
    account (progressively longer), and a locked account refuses even the right password."""
    user = find_user(email)
    now = utcnow()
    if user is None:
        check_password_hash(_DUMMY_HASH, password)
        _record(email, None, "failed sign-in", "no such account")
        db.session.commit()
        return None
    correct = check_password_hash(user.password_hash, password)
    if is_locked(user):
        _record(
            email, user, "refused sign-in", f"locked until {user.locked_until:%Y-%m-%d %H:%M} UTC"
        )
        db.session.commit()
        return None
    if not correct or user.disabled:
        if not correct:
            _count_failure(user, now)
        reason = (
            "account disabled" if correct else f"wrong password ({user.failed_sign_ins} in a row)"
        )
        _record(email, user, "failed sign-in", reason)
        db.session.commit()
        return None
    if two_factor.required_for(user):
        # Failures are cleared only once the second factor is right too, so a stolen password
        # does not buy unlimited guesses at the code.
        _record(email, user, "password accepted", "two-factor code next")
        db.session.commit()
        return user
    complete_sign_in(user)
    return user


def _count_failure(user: User, now: datetime) -> None:
    user.failed_sign_ins = (user.failed_sign_ins or 0) + 1
    if user.failed_sign_ins >= LOCK_AFTER:
        user.locked_until = now + _lock_for(user.failed_sign_ins)


def complete_sign_in(user: User, how: str = "") -> None:
    user.failed_sign_ins = 0
    user.locked_until = None
    user.last_signed_in_at = utcnow()
    _record(user.email, user, "signed in", how)
    db.session.commit()


def is_locked(user: User) -> bool:
    return user.locked_until is not None and user.locked_until > utcnow()


def confirm_with_code(user: User, code: str, doing: str) -> bool:
    """Whether a signed-in user's code is right, asked before a change to their sign-in
    (`doing`). A wrong one counts towards the lockout."""
    if two_factor.check_code(user, code) is not None:
        db.session.commit()
        return True
    _count_failure(user, utcnow())
    _record(user.email, user, "wrong two-factor code", doing)
    db.session.commit()
    return False


def check_second_factor(user: User, code: str) -> bool:
    """Whether `code` (from the app, or a recovery code) completes this user's sign-in. A
    wrong code counts towards the lockout like a wrong password; a locked account refuses even
    a right one."""
    if is_locked(user) or user.disabled:
        _record(user.email, user, "refused sign-in", "locked or disabled at the code step")
        db.session.commit()
        return False
    how = two_factor.check_code(user, code)
    if how is None:
        _count_failure(user, utcnow())
        _record(
            user.email,
            user,
            "failed sign-in",
            f"wrong two-factor code ({user.failed_sign_ins} in a row)",
        )
        db.session.commit()
        return False
    complete_sign_in(user, f"with a {how}")
    return True


def set_disabled(email: str, disabled: bool = True, by: User | None = None) -> User:
    """Disable (or re-enable) an account; `by` is who did it (None: the command line)."""
    user = find_user(email)
    if user is None:
        raise AccountError(f"There is no account for {normalise_email(email)}")
    user.disabled = disabled
    add_audit_entry(by, "disabled account" if disabled else "enabled account", f"user:{user.email}")
    db.session.commit()
    return user


def list_users() -> list[User]:
    return list(db.session.scalars(sa.select(User).order_by(User.role, User.email)))


def generate_password() -> str:
    return secrets.token_urlsafe(15)


def users_of_school(school_id: int) -> list[User]:
    return list(
        db.session.scalars(sa.select(User).where(User.school_id == school_id).order_by(User.email))
    )

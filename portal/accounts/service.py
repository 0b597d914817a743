"""Creating, finding and checking staff accounts."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from contextlib import suppress
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from werkzeug.security import check_password_hash, generate_password_hash

from portal.accounts import two_factor
from portal.accounts.models import Role, SignInLock, User
from portal.audit import add_audit_entry
from portal.extensions import db
from portal.mail import MailUnavailable, mail_configured, send_email
from portal.panel.models import AuditEntry
from portal.responses.service import UK, utcnow

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


def place_of(address: str | None) -> str:
    """The place a sign-in comes from, as SignInLock keeps it: a keyed hash of the client
    address, so the address itself is never stored."""
    key = str(current_app.config["SECRET_KEY"]).encode()
    return hmac.new(key, (address or "").encode(), hashlib.sha256).hexdigest()


def authenticate(email: str, password: str, address: str | None = None) -> User | None:
    """The active, unlocked user with this email and password, or None, taking the same time
    either way. Every attempt is written to the audit log; repeated wrong passwords from one
    place (client address) lock the account there, progressively longer, and a locked place is
    refused even the right password."""
    user = find_user(email)
    now = utcnow()
    place = place_of(address)
    if user is None:
        check_password_hash(_DUMMY_HASH, password)
        _record(email, None, "failed sign-in", "no such account")
        db.session.commit()
        return None
    correct = check_password_hash(user.password_hash, password)
    lock = _lock(user, place)
    if lock is not None and is_locked(user, place):
        _record(
            email, user, "refused sign-in", f"locked until {lock.locked_until:%Y-%m-%d %H:%M} UTC"
        )
        db.session.commit()
        return None
    if not correct or user.disabled:
        if correct:
            _record(email, user, "failed sign-in", "account disabled")
            db.session.commit()
        else:
            record_failure(user, place, now, "wrong password")
        return None
    if two_factor.required_for(user):
        # Failures are cleared only once the second factor is right too, so a stolen password
        # does not buy unlimited guesses at the code.
        _record(email, user, "password accepted", "two-factor code next")
        db.session.commit()
        return user
    complete_sign_in(user, address=address)
    return user


def _lock(user: User, place: str) -> SignInLock | None:
    return db.session.get(SignInLock, (user.id, place))


def record_failure(
    user: User, place: str, now: datetime, what: str, action: str = "failed sign-in"
) -> int:
    """Count a wrong password or code from `place`, lock the account there once there are
    LOCK_AFTER in a row, and write it to the audit log; tell the account's owner by email when
    a lock begins, so a real officer knows someone is trying. Returns the count."""
    lock = _lock(user, place) or SignInLock(user_id=user.id, place=place, failures=0)
    db.session.add(lock)
    lock.failures += 1
    locking = lock.failures >= LOCK_AFTER
    if locking:
        lock.locked_until = now + _lock_for(lock.failures)
    _record(user.email, user, action, f"{what} ({lock.failures} in a row from one place)")
    db.session.commit()
    if locking:
        _tell_of_lock(user, lock)
    return lock.failures


def _tell_of_lock(user: User, lock: SignInLock) -> None:
    if not mail_configured():
        return
    assert lock.locked_until is not None
    until = lock.locked_until.replace(tzinfo=UTC).astimezone(UK)
    with suppress(MailUnavailable):  # the lock stands either way; the audit log has it
        send_email(
            user.email,
            f"Your {current_app.config['SERVICE_NAME']} account was locked after wrong passwords",
            f"Someone gave {lock.failures} wrong passwords or codes in a row for your account "
            f"({user.email}), so sign-in from the network they used is locked until "
            f"{until:%H:%M} on {until.day} {until:%B %Y} (UK time). Signing in from anywhere "
            "else still works.\n\nIf this was you, wait until then or ask an administrator. "
            "If it was not, tell your administrator: someone may know your email address and be "
            "guessing your password.\n",
        )


def complete_sign_in(user: User, how: str = "", address: str | None = None) -> None:
    lock = _lock(user, place_of(address))
    if lock is not None:
        db.session.delete(lock)
    user.last_signed_in_at = utcnow()
    _record(user.email, user, "signed in", how)
    db.session.commit()


def is_locked(user: User, place: str) -> bool:
    lock = _lock(user, place)
    return bool(lock and lock.locked_until and lock.locked_until > utcnow())


def confirm_with_code(user: User, code: str, doing: str, address: str | None = None) -> bool:
    """Whether a signed-in user's code is right, asked before a change to their sign-in
    (`doing`). A wrong one counts towards the lockout."""
    if two_factor.check_code(user, code) is not None:
        db.session.commit()
        return True
    record_failure(user, place_of(address), utcnow(), doing, "wrong two-factor code")
    return False


def check_second_factor(user: User, code: str, address: str | None = None) -> bool:
    """Whether `code` (from the app, or a recovery code) completes this user's sign-in. A
    wrong code counts towards the lockout like a wrong password; a locked place is refused
    even a right one."""
    place = place_of(address)
    if is_locked(user, place) or user.disabled:
        _record(user.email, user, "refused sign-in", "locked or disabled at the code step")
        db.session.commit()
        return False
    how = two_factor.check_code(user, code)
    if how is None:
        record_failure(user, place, utcnow(), "wrong two-factor code")
        return False
    complete_sign_in(user, f"with a {how}", address)
    return True


def set_disabled(email: str, disabled: bool = True, by: User | None = None) -> User:
    """Disable (or re-enable) an account; `by` is who did it (None: the command line)."""
    user = find_user(email)
    if user is None:
        raise AccountError(f"There is no account for {normalise_email(email)}")
    user.disabled = disabled
    if disabled:
        user.end_sessions()
    add_audit_entry(by, "disabled account" if disabled else "enabled account", f"user:{user.email}")
    db.session.commit()
    return user


def set_password(email: str, password: str, by: User | None = None) -> User:
    """Give an account a new password; every session signed in with the old one ends (someone
    who learnt it may be signed in). `by` is who did it (None: the command line)."""
    user = find_user(email)
    if user is None:
        raise AccountError(f"There is no account for {normalise_email(email)}")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"The password must be at least {MIN_PASSWORD_LENGTH} characters")
    user.password_hash = generate_password_hash(password)
    user.end_sessions()
    add_audit_entry(by, "changed password", f"user:{user.email}", "every session ended")
    db.session.commit()
    return user


def sign_out_everywhere(user: User, why: str) -> None:
    """End every session of the account, this one and any other (a copied cookie too)."""
    user.end_sessions()
    _record(user.email, user, why, "every session of the account ended")
    db.session.commit()


def list_users() -> list[User]:
    return list(db.session.scalars(sa.select(User).order_by(User.role, User.email)))


def generate_password() -> str:
    return secrets.token_urlsafe(15)


def users_of_school(school_id: int) -> list[User]:
    return list(
        db.session.scalars(sa.select(User).where(User.school_id == school_id).order_by(User.email))
    )

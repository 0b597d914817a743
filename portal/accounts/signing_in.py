"""Signing in: passwords checked, wrong ones counted per place and per account, locks that
grow, two-factor codes, and every attempt in the audit log. Accounts themselves (creating,
finding, disabling, passwords set) are in portal/accounts/service.py."""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import secrets
from contextlib import suppress
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from flask_babel import ngettext
from werkzeug.security import check_password_hash, generate_password_hash

from portal.accounts import two_factor
from portal.accounts.models import SignInLock, User
from portal.accounts.service import (
    AccountError,
    clear_failures,
    find_user,
    normalise_email,
    record_sign_in_event,
)
from portal.audit import add_audit_entry
from portal.clock import UK, utcnow
from portal.extensions import db, insert_with_conflicts
from portal.i18n import long_date
from portal.mail import MailUnavailable, mail_configured, send_email

# Compared against when no such account exists, so a wrong email costs as long as a wrong
# password and response times do not reveal which addresses have accounts.
_DUMMY_HASH = generate_password_hash(secrets.token_hex(16))


# After this many wrong passwords in a row an account is locked: 15 minutes, then twice as
# long for each further wrong password once it opens again, up to a day.
LOCK_AFTER = 5
FIRST_LOCK = timedelta(minutes=15)
LONGEST_LOCK = timedelta(days=1)


def _lock_for(failures: int) -> timedelta:
    return min(FIRST_LOCK * 2 ** (failures - LOCK_AFTER), LONGEST_LOCK)


def record_event(email: str, user: User | None, action: str, detail: str = "") -> None:
    """An event about signing in (a reset link asked for, say) in the audit log, in the
    caller's transaction, for an address that may have no account."""
    record_sign_in_event(email, user, action, detail)


# Wrong two-factor codes are counted for the account as a whole, wherever they come from:
# whoever gets that far has the password, so there is no stranger to keep out, and counting
# per address would give one guesser a fresh five codes at each address.
CODE_STEP = "two-factor code"
# How long a place's count of wrong passwords is kept after its last one (flask privacy
# retention deletes older ones): long enough to outlast the longest lock.
FAILURES_KEPT = timedelta(days=30)


def place_of(address: str | None) -> str:
    """The place a sign-in comes from, as SignInLock keeps it: a keyed hash of the client
    address, so the address itself is never stored. An IPv6 address counts by its /64, the
    block one household or office is given, so that a guesser cannot step through it."""
    text = address or ""
    with suppress(ValueError):
        parsed = ipaddress.ip_address(text)
        if isinstance(parsed, ipaddress.IPv6Address) and parsed.ipv4_mapped is not None:
            text = str(parsed.ipv4_mapped)  # an IPv4 client through a dual-stack socket
        elif parsed.version == 6:
            text = str(ipaddress.ip_network(f"{parsed}/64", strict=False))
    key = str(current_app.config["SECRET_KEY"]).encode()
    return hmac.new(key, text.encode(), hashlib.sha256).hexdigest()


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
        record_sign_in_event(email, None, "failed sign-in", "no such account")
        db.session.commit()
        return None
    correct = check_password_hash(user.password_hash, password)
    locked_until = _locked_until(user, place, now)
    if locked_until is not None:
        record_sign_in_event(
            email, user, "refused sign-in", f"locked until {locked_until:%Y-%m-%d %H:%M} UTC"
        )
        db.session.commit()
        return None
    if not correct or user.disabled:
        if correct:
            record_sign_in_event(email, user, "failed sign-in", "account disabled")
            db.session.commit()
        else:
            record_failure(user, place, now, "wrong password")
        return None
    if two_factor.required_for(user):
        # Failures are cleared only once the second factor is right too, so a stolen password
        # does not buy unlimited guesses at the code.
        record_sign_in_event(email, user, "password accepted", "two-factor code next")
        db.session.commit()
        return user
    complete_sign_in(user, address=address)
    return user


def _locked_until(user: User, place: str, now: datetime) -> datetime | None:
    """When the lock on `user` from `place` ends, if one is on now (read afresh: another
    request may have just set it)."""
    until = db.session.scalar(
        sa.select(SignInLock.locked_until).where(
            SignInLock.user_id == user.id, SignInLock.place == place
        )
    )
    return until if until is not None and until > now else None


def record_failure(
    user: User, place: str, now: datetime, what: str, action: str = "failed sign-in"
) -> int:
    """Count a wrong password or code from `place`, lock the account there once there are
    LOCK_AFTER in a row, and write it to the audit log; tell the account's owner by email when
    a lock begins, so a real officer knows someone is trying. Returns the count.

    One statement counts (an insert that adds one to the row if it is there), so attempts at
    the same moment are each counted, never lost or refused with a clash."""
    counting = insert_with_conflicts(SignInLock).values(
        user_id=user.id, place=place, failures=1, last_failed_at=now
    )
    failures: int = db.session.execute(
        counting.on_conflict_do_update(
            index_elements=[SignInLock.user_id, SignInLock.place],
            set_={"failures": SignInLock.failures + 1, "last_failed_at": now},
        ).returning(SignInLock.failures)
    ).scalar_one()
    began = None
    if failures >= LOCK_AFTER:
        # Only a lock that is not already on begins: one email per lock, however many try.
        began = db.session.execute(
            sa.update(SignInLock)
            .where(
                SignInLock.user_id == user.id,
                SignInLock.place == place,
                sa.or_(SignInLock.locked_until.is_(None), SignInLock.locked_until <= now),
            )
            .values(locked_until=now + _lock_for(failures))
            .returning(SignInLock.locked_until)
            .execution_options(synchronize_session=False)
        ).scalar_one_or_none()
    where = "for the account" if place == CODE_STEP else "from one place"
    record_sign_in_event(user.email, user, action, f"{what} ({failures} in a row {where})")
    db.session.commit()
    if began is not None:
        _tell_of_lock(user, failures, began, whole_account=place == CODE_STEP)
    return failures


def _tell_of_lock(user: User, failures: int, locked_until: datetime, whole_account: bool) -> None:
    if not mail_configured():
        return
    until = locked_until.replace(tzinfo=UTC).astimezone(UK)
    when = {"email": user.email, "time": f"{until:%H:%M}", "date": long_date(until.date())}
    if whole_account:
        what = ngettext(
            "Someone gave %(num)d wrong two-factor code in a row for your account (%(email)s), "
            "so sign-in to your account is locked until %(time)s on %(date)s (UK time). "
            "Whoever gave it knew your password: change it now, or ask an administrator to "
            "(flask users set-password), which also lifts the lock.",
            "Someone gave %(num)d wrong two-factor codes in a row for your account (%(email)s), "
            "so sign-in to your account is locked until %(time)s on %(date)s (UK time). "
            "Whoever gave them knew your password: change it now, or ask an administrator to "
            "(flask users set-password), which also lifts the lock.",
            failures,
            **when,
        )
    else:
        what = ngettext(
            "Someone gave %(num)d wrong password or code in a row for your account (%(email)s), "
            "so sign-in from the network they used is locked until %(time)s on %(date)s (UK "
            "time). Signing in from anywhere else still works.",
            "Someone gave %(num)d wrong passwords or codes in a row for your account "
            "(%(email)s), so sign-in from the network they used is locked until %(time)s on "
            "%(date)s (UK time). Signing in from anywhere else still works.",
            failures,
            **when,
        )
    advice = _(
        "If this was you, wait until then or ask an administrator. If it was not, tell your "
        "administrator: someone may know your email address and be guessing your password."
    )
    with suppress(MailUnavailable):  # the lock stands either way; the audit log has it
        send_email(
            user.email,
            _(
                "Your %(service)s account was locked after wrong passwords",
                service=current_app.config["SERVICE_NAME"],
            ),
            f"{what}\n\n{advice}\n",
        )


def unlock(email: str, by: User | None = None) -> User:
    """Lift every sign-in lock on an account and forget its wrong attempts (an officer locked
    out by someone else's guessing, who has been told)."""
    user = find_user(email)
    if user is None:
        raise AccountError(_("There is no account for %(email)s", email=normalise_email(email)))
    clear_failures(user)
    add_audit_entry(by, "lifted sign-in locks", f"user:{user.email}")
    db.session.commit()
    return user


def complete_sign_in(user: User, how: str = "", address: str | None = None) -> None:
    clear_failures(user, [place_of(address), CODE_STEP])
    user.last_signed_in_at = utcnow()
    record_sign_in_event(user.email, user, "signed in", how)
    db.session.commit()


def is_locked(user: User, place: str) -> bool:
    return _locked_until(user, place, utcnow()) is not None


def forget_old_failures(now: datetime) -> int:
    """Delete the counts of wrong passwords whose last one is older than FAILURES_KEPT and
    whose lock is over: how many were deleted."""
    deleted = db.session.execute(
        sa.delete(SignInLock)
        .where(
            SignInLock.last_failed_at < now - FAILURES_KEPT,
            sa.or_(SignInLock.locked_until.is_(None), SignInLock.locked_until <= now),
        )
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return int(getattr(deleted, "rowcount", 0) or 0)


def confirm_with_code(user: User, code: str, doing: str, address: str | None = None) -> bool:
    """Whether a signed-in user's code is right, asked before a change to their sign-in
    (`doing`). A wrong one counts towards the lockout."""
    if is_locked(user, CODE_STEP):
        record_sign_in_event(user.email, user, "refused code", f"{doing}: too many wrong codes")
        db.session.commit()
        return False
    if two_factor.check_code(user, code) is not None:
        clear_failures(user, [CODE_STEP])  # a right code ends the run of wrong ones
        db.session.commit()
        return True
    record_failure(user, CODE_STEP, utcnow(), doing, "wrong two-factor code")
    return False


def check_second_factor(user: User, code: str, address: str | None = None) -> bool:
    """Whether `code` (from the app, or a recovery code) completes this user's sign-in. A
    wrong code counts towards the lockout like a wrong password; a locked place is refused
    even a right one."""
    if is_locked(user, place_of(address)) or is_locked(user, CODE_STEP) or user.disabled:
        record_sign_in_event(
            user.email, user, "refused sign-in", "locked or disabled at the code step"
        )
        db.session.commit()
        return False
    how = two_factor.check_code(user, code)
    if how is None:
        record_failure(user, CODE_STEP, utcnow(), "wrong two-factor code")
        return False
    complete_sign_in(user, f"with a {how}", address)
    return True

"""Passwords set through an emailed link, and changed by their owner.

A new account is given no password anyone knows: its owner is emailed a link to choose one, as
is someone who has forgotten theirs. A link carries a random token of which only a SHA-256
hash is stored; it works once, for a limited time, and a password set through it ends every
session of the account and lifts its sign-in locks. Two-factor authentication still applies at
the next sign-in: the link replaces the password, never the code.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app, render_template
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_babel.speaklater import LazyString
from werkzeug.security import check_password_hash

from portal.accounts import service as accounts
from portal.accounts import signing_in, two_factor
from portal.accounts.models import LinkPurpose, PasswordLink, Role, User
from portal.audit import add_audit_entry
from portal.clock import utcnow
from portal.extensions import db
from portal.mail import send_email
from portal.site_links import site_url_for

# A forgotten password's link is short-lived: whoever reads the email later cannot use it.
# A new account's lasts longer, since its owner may not read their email the day it is made.
LINK_LASTS = {LinkPurpose.RESET: timedelta(hours=1), LinkPurpose.NEW_ACCOUNT: timedelta(days=3)}
# Reset links sent to one account in an hour, however many ask: a stranger who knows the
# address cannot fill its inbox.
RESETS_PER_HOUR = 3
# Shown on the change-password page (lazy: in the language of the page that shows them).
WRONG_CURRENT_PASSWORD = _l("Enter your current password correctly")
LOCKED_OUT = _l(
    "There have been too many wrong passwords for this account from here. Wait and try "
    "again later, or sign out and use \u201cForgotten your password?\u201d"
)
# What a new account is for, in its email ("has been made for you, as an officer").
ROLE_DESCRIPTIONS = {
    Role.OFFICER: _l("an officer"),
    Role.ADMIN: _l("an administrator"),
    Role.SCHOOL: _l("a member of school staff"),
}


class LinkNotValid(Exception):
    """The link is unknown, used, past its time, or its account is disabled."""


@dataclass(frozen=True)
class LinkEmail:
    """An email carrying a link to set a password, made in the transaction that stored the link
    and sent after it: the caller chooses when (the forgotten-password page after its answer)."""

    to: str
    subject: str
    body: str
    link: str

    def send(self) -> None:
        """Raises portal.mail.MailUnavailable if it cannot be sent."""
        send_email(self.to, self.subject, self.body)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def lasts(purpose: LinkPurpose) -> str:
    """How long a link works, in words: "1 hour", "3 days" (in the page's language)."""
    period = LINK_LASTS[purpose]
    if period >= timedelta(days=1):
        return ngettext("%(num)d day", "%(num)d days", period.days)
    return ngettext("%(num)d hour", "%(num)d hours", int(period.total_seconds() // 3600))


def _new_link(user: User, purpose: LinkPurpose, now: datetime) -> str:
    token = secrets.token_urlsafe(32)
    db.session.add(
        PasswordLink(
            user_id=user.id,
            token_hash=token_hash(token),
            purpose=purpose,
            created_at=now,
            expires_at=now + LINK_LASTS[purpose],
        )
    )
    return token


def _email(user: User, purpose: LinkPurpose, token: str) -> LinkEmail:
    service = current_app.config["SERVICE_NAME"]
    link = site_url_for("auth.password_link", token=token)
    new = purpose == LinkPurpose.NEW_ACCOUNT
    return LinkEmail(
        to=user.email,
        subject=(
            _("Set your password for %(service)s", service=service)
            if new
            else _("Reset your password for %(service)s", service=service)
        ),
        body=render_template(
            "auth/password-link-email.txt",
            new=new,
            user=user,
            link=link,
            lasts=lasts(purpose),
            role=ROLE_DESCRIPTIONS[user.role],
            code_needed=two_factor.required_for(user),
        ),
        link=link,
    )


def invite(
    email: str, role: Role | str, school_id: int | None, by: User | None
) -> tuple[User, LinkEmail]:
    """Create an account with no password anyone knows, and a link for its owner to choose
    one; both audited, in one transaction. The caller sends the email."""
    user = accounts.add_user(email, secrets.token_urlsafe(32), role, school_id, by)
    token = _new_link(user, LinkPurpose.NEW_ACCOUNT, utcnow())
    add_audit_entry(by, "sent a link to set a password", f"user:{user.email}", "new account")
    db.session.commit()
    return user, _email(user, LinkPurpose.NEW_ACCOUNT, token)


def send_again(user: User, by: User | None) -> LinkEmail:
    """A new link for `user` from an administrator or the command line (one never signed in
    gets the new-account wording); earlier links stop working. The caller sends the email."""
    if user.disabled:
        raise accounts.AccountError(
            _("The account %(email)s is disabled: enable it first", email=user.email)
        )
    now = utcnow()
    purpose = LinkPurpose.NEW_ACCOUNT if user.last_signed_in_at is None else LinkPurpose.RESET
    accounts.void_password_links(user)
    token = _new_link(user, purpose, now)
    add_audit_entry(by, "sent a link to set a password", f"user:{user.email}", purpose.value)
    db.session.commit()
    return _email(user, purpose, token)


def request_reset(email: str) -> LinkEmail | None:
    """Someone on the sign-in page has forgotten the password of `email`: the email to send
    them, or None where none is to go (no such account, a disabled one, or RESETS_PER_HOUR
    already sent this hour). Whoever asked is told the same thing either way; the audit log
    has which."""
    user = accounts.find_user(email)
    action = "asked for a password reset link"
    if user is None or user.disabled:
        why = "no such account" if user is None else "account disabled: nothing sent"
        signing_in.record_event(email, user, action, why)
        db.session.commit()
        return None
    now = utcnow()
    sent_lately = db.session.scalar(
        sa.select(sa.func.count(PasswordLink.id)).where(
            PasswordLink.user_id == user.id,
            PasswordLink.purpose == LinkPurpose.RESET,
            PasswordLink.created_at > now - timedelta(hours=1),
        )
    )
    if (sent_lately or 0) >= RESETS_PER_HOUR:
        signing_in.record_event(email, user, action, f"{RESETS_PER_HOUR} sent this hour: no more")
        db.session.commit()
        return None
    token = _new_link(user, LinkPurpose.RESET, now)
    signing_in.record_event(email, user, action, "link emailed")
    db.session.commit()
    return _email(user, LinkPurpose.RESET, token)


def _usable(link: PasswordLink | None) -> PasswordLink | None:
    if link is None or link.used_at is not None or link.expires_at <= utcnow():
        return None
    return None if link.user.disabled else link


def valid_link(token: str) -> PasswordLink | None:
    """The unused, unexpired link `token` belongs to, if its account is enabled."""
    if not token or len(token) > 100:
        return None
    return _usable(
        db.session.scalar(
            sa.select(PasswordLink).where(PasswordLink.token_hash == token_hash(token))
        )
    )


def valid_link_by_id(link_id: int) -> PasswordLink | None:
    """The same check for a link already opened, known by its id (what the session holds:
    never the token, since a signed session cookie can be read by whoever holds it)."""
    return _usable(db.session.get(PasswordLink, link_id))


def set_password_with_link(link_id: int, password: str) -> User:
    """Use the link (by its id, once opened with its token): the account's new password, every
    session of it ended, its sign-in locks lifted, the link (and any other) used up. Raises
    LinkNotValid, or AccountError for a password that breaks the rule."""
    link = valid_link_by_id(link_id)
    if link is None:
        raise LinkNotValid
    accounts.check_password_rule(password)
    now = utcnow()
    # Claimed by one statement: of two requests with the same link at once, one wins.
    claimed = db.session.execute(
        sa.update(PasswordLink)
        .where(PasswordLink.id == link.id, PasswordLink.used_at.is_(None))
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    if getattr(claimed, "rowcount", 0) != 1:
        db.session.rollback()
        raise LinkNotValid
    user = link.user
    accounts.give_password(user, password)
    how = "new account" if link.purpose == LinkPurpose.NEW_ACCOUNT else "forgotten password"
    signing_in.record_event(
        user.email,
        user,
        "set a password with an emailed link",
        f"{how}; every session ended, sign-in locks lifted",
    )
    db.session.commit()
    return user


def change_password(user: User, current: str, new: str, address: str | None) -> LazyString | None:
    """A signed-in user's new password, given their current one: None once changed (every
    other session ended), or why not. A wrong current password counts towards the sign-in
    lockout, as at sign-in: whoever has someone's session may not guess their password."""
    place = signing_in.place_of(address)
    if signing_in.is_locked(user, place):
        signing_in.record_event(user.email, user, "refused password change", "locked")
        db.session.commit()
        return LOCKED_OUT
    if not check_password_hash(user.password_hash, current):
        signing_in.record_failure(
            user, place, utcnow(), "wrong current password", "failed password change"
        )
        return WRONG_CURRENT_PASSWORD
    accounts.give_password(user, new)
    add_audit_entry(user, "changed password", f"user:{user.email}", "their own; sessions ended")
    db.session.commit()
    return None

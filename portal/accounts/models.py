"""Staff accounts. Respondents never have accounts: their answers stay anonymous."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import db, enum_column

if TYPE_CHECKING:
    from portal.schools.models import School


class Role(enum.StrEnum):
    ADMIN = "admin"
    OFFICER = "officer"
    SCHOOL = "school"


class LinkPurpose(enum.StrEnum):
    """Why a link to set a password was sent: a new account's first, or a forgotten one's."""

    NEW_ACCOUNT = "new"
    RESET = "reset"


class User(UserMixin, db.Model):  # type: ignore[name-defined]
    __tablename__ = "user_account"  # "user" is a reserved word in PostgreSQL

    id: Mapped[int] = mapped_column(primary_key=True)
    # Stored lower-cased, so sign-in is not case sensitive and one address is one account.
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(sa.String(300))
    role: Mapped[Role] = mapped_column(enum_column(Role, 10))
    disabled: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(server_default=sa.func.now())
    last_signed_in_at: Mapped[datetime | None]
    # A school account sees only this school (accounts.service makes every new one name it;
    # accounts made before schools existed have none and see nothing).
    school_id: Mapped[int | None] = mapped_column(sa.ForeignKey("school.id"), index=True)
    school: Mapped[School | None] = relationship()
    # Two-factor authentication (accounts.two_factor): the shared TOTP secret once confirmed,
    # and the last 30-second step a code was accepted for, so no code works twice.
    totp_secret: Mapped[str | None] = mapped_column(sa.String(64))
    totp_last_step: Mapped[int | None]
    # Part of every session's user id ("7:3"): signing out, a new password, a disabled account
    # or a two-factor reset moves it on, and every session signed in before (a copied cookie
    # too) stops working at once, on every server.
    session_generation: Mapped[int] = mapped_column(default=0, server_default="0")
    recovery_codes: Mapped[list[RecoveryCode]] = relationship(
        back_populates="user", cascade="all, delete-orphan"
    )

    @property
    def is_active(self) -> bool:  # Flask-Login: a disabled account is signed out at once
        return not self.disabled

    def get_id(self) -> str:
        """What the session holds: the id and the session generation."""
        return f"{self.id}:{self.session_generation}"

    def end_sessions(self) -> None:
        """Sign out every session of this account (the caller commits)."""
        self.session_generation = (self.session_generation or 0) + 1

    @property
    def has_two_factor(self) -> bool:
        return self.totp_secret is not None

    @property
    def is_staff(self) -> bool:
        return self.role in {Role.OFFICER, Role.ADMIN}

    def __repr__(self) -> str:
        return f"<User {self.email} {self.role}>"


class SignInLock(db.Model):  # type: ignore[name-defined]
    """Wrong passwords and two-factor codes for one account from one place, and the lock they
    earn (accounts.service.record_failure).

    Counted per place, not per account: someone elsewhere who knows an officer's email can lock
    that place out, never the officer at their own desk. A place is a keyed hash of the client
    address (HMAC with the secret key), never the address itself; wrong two-factor codes are
    counted for the account as a whole (place "two-factor code").
    """

    __tablename__ = "sign_in_lock"

    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True
    )
    place: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    # Wrong attempts in a row from this place since its last good sign-in.
    failures: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None]
    # The last wrong attempt: counts older than a month are deleted (flask privacy retention).
    last_failed_at: Mapped[datetime | None]


class RecoveryCode(db.Model):  # type: ignore[name-defined]
    """A one-time code to sign in without the authenticator app, kept only as a hash."""

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    code_hash: Mapped[str] = mapped_column(sa.String(64))
    used_at: Mapped[datetime | None]

    user: Mapped[User] = relationship(back_populates="recovery_codes")


class PasswordLink(db.Model):  # type: ignore[name-defined]
    """A single-use, time-limited link to set an account's password, emailed to a new account
    or to someone who has forgotten theirs (accounts.passwords). Only a SHA-256 hash of the
    link's random token is kept: someone who reads the database cannot use a link."""

    __tablename__ = "password_link"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    purpose: Mapped[LinkPurpose] = mapped_column(enum_column(LinkPurpose, 10))
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    # Set once the link is used, or when another link or a new password makes it void.
    used_at: Mapped[datetime | None]

    user: Mapped[User] = relationship()

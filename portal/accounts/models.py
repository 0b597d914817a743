"""Staff accounts. Respondents never have accounts: their answers stay anonymous."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import db, enum_column


class Role(enum.StrEnum):
    ADMIN = "admin"
    OFFICER = "officer"
    SCHOOL = "school"


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
    # Wrong passwords since the last good sign-in; from LOCK_AFTER on, the account is locked
    # until locked_until, for longer each time (accounts.service.record_failure).
    failed_sign_ins: Mapped[int] = mapped_column(default=0, server_default="0")
    locked_until: Mapped[datetime | None]
    # A school account sees only this school (accounts.service makes every new one name it;
    # accounts made before schools existed have none and see nothing).
    school_id: Mapped[int | None] = mapped_column(sa.ForeignKey("school.id"), index=True)
    # Two-factor authentication (accounts.two_factor): the shared TOTP secret once confirmed,
    # and the last 30-second step a code was accepted for, so no code works twice.
    totp_secret: Mapped[str | None] = mapped_column(sa.String(64))
    totp_last_step: Mapped[int | None]
    recovery_codes: Mapped[list[RecoveryCode]] = relationship(
        back_populates="user", cascade="all, delete-orphan"
    )

    @property
    def is_active(self) -> bool:  # Flask-Login: a disabled account is signed out at once
        return not self.disabled

    @property
    def has_two_factor(self) -> bool:
        return self.totp_secret is not None

    @property
    def is_staff(self) -> bool:
        return self.role in {Role.OFFICER, Role.ADMIN}

    def __repr__(self) -> str:
        return f"<User {self.email} {self.role}>"


class RecoveryCode(db.Model):  # type: ignore[name-defined]
    """A one-time code to sign in without the authenticator app, kept only as a hash."""

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    code_hash: Mapped[str] = mapped_column(sa.String(64))
    used_at: Mapped[datetime | None]

    user: Mapped[User] = relationship(back_populates="recovery_codes")

"""Creating, finding and checking staff accounts."""

from __future__ import annotations

import re
import secrets

import sqlalchemy as sa
from werkzeug.security import check_password_hash, generate_password_hash

from portal.accounts.models import Role, User
from portal.extensions import db
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


def create_user(email: str, password: str, role: Role | str, school_id: int | None = None) -> User:
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
    db.session.commit()
    return user


def authenticate(email: str, password: str) -> User | None:
    """The active user with this email and password, or None, taking the same time either way."""
    user = find_user(email)
    if user is None:
        check_password_hash(_DUMMY_HASH, password)
        return None
    if not check_password_hash(user.password_hash, password) or user.disabled:
        return None
    user.last_signed_in_at = utcnow()
    db.session.commit()
    return user


def set_disabled(email: str, disabled: bool = True) -> User:
    user = find_user(email)
    if user is None:
        raise AccountError(f"There is no account for {normalise_email(email)}")
    user.disabled = disabled
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

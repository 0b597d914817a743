"""Two-factor authentication: a time-based code (TOTP, RFC 6238) from an authenticator app, or
a one-time recovery code, asked for after the password.

Optional for officers, required for admins: an admin without it is taken through setting it
up before their first page. Codes count towards the same lockout as wrong passwords.
"""

from __future__ import annotations

import hashlib
import secrets
import time

import pyotp
import segno
import sqlalchemy as sa
from flask_babel import gettext as _

from portal.accounts.models import RecoveryCode, Role, User
from portal.audit import add_audit_entry
from portal.clock import utcnow
from portal.extensions import db

ISSUER = "Warwickshire consultations"
RECOVERY_CODES = 10
# An authenticator's clock may be a step out either way.
CLOCK_DRIFT_STEPS = 1
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i to misread


def mandatory_for(user: User) -> bool:
    """Whether the account may not be without two-factor authentication: admins."""
    return user.role == Role.ADMIN


def required_for(user: User) -> bool:
    """Whether a sign-in needs a second factor: everyone who set one up, and every admin."""
    return user.has_two_factor or mandatory_for(user)


def new_secret() -> str:
    return pyotp.random_base32()


def grouped(secret: str) -> str:
    """The secret in fours, for typing into an app by hand."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def setup_qr_svg(user: User, secret: str) -> str:
    """The otpauth:// address as an SVG QR code, for the app to scan (the page also gives the
    secret as text for anyone who cannot scan it)."""
    uri = pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=ISSUER)
    svg = segno.make(uri, error="m").svg_inline(
        scale=4, omitsize=False, title=_("QR code to add this account to an authenticator app")
    )
    return str(svg).replace("<svg ", '<svg role="img" ', 1)


def _normalised(code: str) -> str:
    return "".join(code.split()).replace("-", "").lower()


def _step_accepted(secret: str, code: str, after_step: int | None, now: float) -> int | None:
    """The time step `code` is right for (within the drift allowed), if later than
    `after_step`: a code seen once is never accepted again."""
    if len(code) != 6 or not code.isdigit():
        return None
    totp = pyotp.TOTP(secret)
    current = int(now // totp.interval)
    for step in range(current - CLOCK_DRIFT_STEPS, current + CLOCK_DRIFT_STEPS + 1):
        if (after_step is None or step > after_step) and secrets.compare_digest(
            totp.generate_otp(step), code
        ):
            return step
    return None


def _hash(code: str) -> str:
    # Recovery codes are random (50 bits), not chosen by people, so a plain hash is enough.
    return hashlib.sha256(_normalised(code).encode()).hexdigest()


def confirm_setup(user: User, secret: str, code: str, now: float | None = None) -> list[str] | None:
    """Turn two-factor on once a code from the app proves it holds `secret`; the recovery
    codes to show the user once, or None if the code is wrong."""
    step = _step_accepted(secret, _normalised(code), None, now or time.time())
    if step is None:
        return None
    user.totp_secret = secret
    user.totp_last_step = step
    codes = _replace_recovery_codes(user)
    add_audit_entry(user, "turned on two-factor authentication", f"user:{user.email}")
    db.session.commit()
    return codes


def check_code(user: User, code: str, now: float | None = None) -> str | None:
    """How `code` signs this user in ("app" or "recovery code"), or None. An app code is
    accepted once; a recovery code is used up."""
    if user.totp_secret is None:
        return None
    typed = _normalised(code)
    step = _step_accepted(user.totp_secret, typed, user.totp_last_step, now or time.time())
    if step is not None:
        user.totp_last_step = step
        return "app"
    if len(typed) != 10:
        return None
    found = db.session.scalar(
        sa.select(RecoveryCode).where(
            RecoveryCode.user_id == user.id,
            RecoveryCode.code_hash == _hash(typed),
            RecoveryCode.used_at.is_(None),
        )
    )
    if found is None:
        return None
    found.used_at = utcnow()
    return "recovery code"


def recovery_codes_left(user: User) -> int:
    return sum(1 for code in user.recovery_codes if code.used_at is None)


def _replace_recovery_codes(user: User) -> list[str]:
    codes = [
        "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(10))
        for _ in range(RECOVERY_CODES)
    ]
    user.recovery_codes = [RecoveryCode(code_hash=_hash(code)) for code in codes]
    return [f"{code[:5]}-{code[5:]}" for code in codes]


def new_recovery_codes(user: User) -> list[str]:
    """A fresh set of recovery codes; every earlier one stops working."""
    codes = _replace_recovery_codes(user)
    add_audit_entry(user, "made new recovery codes", f"user:{user.email}")
    db.session.commit()
    return codes


def turn_off(user: User, by: User | None) -> None:
    """Remove the secret and recovery codes. `by` is who did it (None: the command line, for
    someone who has lost their phone and their codes)."""
    user.totp_secret = None
    user.totp_last_step = None
    user.recovery_codes = []
    if by is None or by.id != user.id:
        # A reset for someone who lost their phone: whoever has it is signed out too.
        user.end_sessions()
    add_audit_entry(by, "turned off two-factor authentication", f"user:{user.email}")
    db.session.commit()

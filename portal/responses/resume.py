"""Save and come back later: a resume code for an unfinished response, and tidying up drafts.

The code is shown once and only its SHA-256 is stored, so a copy of the database cannot be
used to open anyone's answers. A code works once: resuming clears it, and saving again gives
a new one.
"""

from __future__ import annotations

import hashlib
import re
from datetime import datetime, timedelta

import sqlalchemy as sa

from portal.codes import REFERENCE_ALPHABET, random_code
from portal.consultations.models import Consultation
from portal.extensions import db
from portal.responses.models import ResponseDraft

RESUME_CODE_LENGTH = 12  # 26^12, about 9.5 x 10^16 codes; guessing is also rate limited


def new_resume_code() -> str:
    return random_code(RESUME_CODE_LENGTH)


def format_resume_code(code: str) -> str:
    """Three groups of four: easier to copy down and read out."""
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def normalise_resume_code(typed: str) -> str | None:
    """What people type, in any case with any spaces or dashes; None when it cannot be a code."""
    code = re.sub(r"[\s-]", "", typed).upper()
    if len(code) != RESUME_CODE_LENGTH or not set(code) <= set(REFERENCE_ALPHABET):
        return None
    return code


def _digest(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


def save_for_later(draft: ResponseDraft, now: datetime, lifetime: timedelta) -> str:
    """Give the draft a new resume code and keep it for `lifetime`; returns the code."""
    code = new_resume_code()
    draft.resume_code_hash = _digest(code)
    draft.updated_at = now
    draft.expires_at = max(draft.expires_at, now + lifetime)
    db.session.commit()
    return code


def resume(consultation: Consultation, typed: str, now: datetime) -> ResponseDraft | None:
    """The unexpired, unsent draft this code opens, with the code used up; None otherwise."""
    code = normalise_resume_code(typed)
    if code is None:
        return None
    draft = db.session.scalar(
        sa.select(ResponseDraft).where(
            ResponseDraft.resume_code_hash == _digest(code),
            ResponseDraft.consultation_id == consultation.id,
            ResponseDraft.expires_at > now,
            ResponseDraft.response_id.is_(None),
        )
    )
    if draft is None:
        return None
    draft.resume_code_hash = None
    db.session.commit()
    return draft


def purge_expired_drafts(now: datetime) -> int:
    """Delete every draft past its expiry, sent or not; returns how many went."""
    result = db.session.execute(sa.delete(ResponseDraft).where(ResponseDraft.expires_at <= now))
    db.session.commit()
    return int(result.rowcount or 0)  # type: ignore[attr-defined]

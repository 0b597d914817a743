"""Flagging comments as a response is stored, in the submission's own transaction."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from portal.extensions import db
from portal.safeguarding.models import SafeguardingFlag
from portal.safeguarding.terms import matches


def flag_answers(
    consultation_id: int, terms: str, answers: list[tuple[int, str]], now: datetime
) -> int:
    """Flag the (answer id, text) pairs that contain a safeguarding word, in the caller's
    transaction (the submission's). Returns how many were flagged."""
    flags = []
    for answer_id, text in answers:
        found = matches(terms, text)
        if found:
            flags.append(
                {
                    "answer_id": answer_id,
                    "consultation_id": consultation_id,
                    "matched": "; ".join(found)[:500],
                    "flagged_at": now,
                    "note": "",
                }
            )
    if flags:
        db.session.execute(sa.insert(SafeguardingFlag.__table__), flags)
    return len(flags)

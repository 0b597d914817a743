"""The safeguarding queue officers read, and their review of each flag."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from portal.audit import add_audit_entry
from portal.clock import utcnow
from portal.extensions import db
from portal.safeguarding.models import SafeguardingFlag

PER_PAGE = 20


def queue(reviewed: bool, page: int) -> tuple[list[SafeguardingFlag], int]:
    """Flags waiting for an officer (oldest first, so none waits longest) or already reviewed
    (newest first)."""
    where = (
        SafeguardingFlag.reviewed_at.is_not(None)
        if reviewed
        else SafeguardingFlag.reviewed_at.is_(None)
    )
    total = db.session.scalar(sa.select(sa.func.count()).select_from(SafeguardingFlag).where(where))
    order = SafeguardingFlag.reviewed_at.desc() if reviewed else SafeguardingFlag.flagged_at.asc()
    flags = db.session.scalars(
        sa.select(SafeguardingFlag)
        .where(where)
        .order_by(order, SafeguardingFlag.answer_id)
        .options(selectinload(SafeguardingFlag.answer), selectinload(SafeguardingFlag.consultation))
        .limit(PER_PAGE)
        .offset((max(1, page) - 1) * PER_PAGE)
    ).all()
    return list(flags), total or 0


def waiting() -> int:
    return (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(SafeguardingFlag)
            .where(SafeguardingFlag.reviewed_at.is_(None))
        )
        or 0
    )


def find_flag(answer_id: int) -> SafeguardingFlag | None:
    return db.session.get(SafeguardingFlag, answer_id)


def mark_reviewed(flag: SafeguardingFlag, note: str, user: Any) -> None:
    flag.reviewed_at = utcnow()
    flag.reviewed_by_email = user.email
    flag.note = note.strip()[:2000]
    # The audit log records that it was reviewed, never the comment or the note.
    add_audit_entry(user, "reviewed a safeguarding flag", f"comment:{flag.answer_id}")
    db.session.commit()

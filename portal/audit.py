"""The audit log: who did or saw what, and when. Append-only: the database refuses to change
or delete an entry (migration 0015), and admins read and export it (/admin/audit)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from portal.clock import utcnow
from portal.extensions import db

PER_PAGE = 50


class AuditEntry(db.Model):  # type: ignore[name-defined]
    """Who did or saw what, when: kept for data protection accountability."""

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(index=True)
    user_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL")
    )
    # The user's email as it was, so the entry still reads after the account goes.
    user_email: Mapped[str] = mapped_column(sa.String(254))
    action: Mapped[str] = mapped_column(sa.String(60))
    subject: Mapped[str] = mapped_column(sa.String(100), index=True)
    detail: Mapped[str] = mapped_column(sa.Text, default="")


def add_audit_entry(user: Any, action: str, subject: str, detail: str = "") -> None:
    """Record who did or saw what, in the caller's transaction (committed with the change).
    `user` is a signed-in account; or words naming who acted without one, such as the command
    ("flask panel import") or "the member (leave link)"; or None for the command line
    (`COMMAND_LINE`)."""
    signed_in = user is not None and not isinstance(user, str)
    db.session.add(
        AuditEntry(
            at=utcnow(),
            user_id=user.id if signed_in else None,
            user_email=user.email if signed_in else (user or COMMAND_LINE),
            action=action,
            subject=subject[:100],
            detail=detail,
        )
    )


COMMAND_LINE = "command line"


def audit(user: Any, action: str, subject: str, detail: str = "") -> None:
    """Record who did or saw what. Committed at once, with whatever else is pending."""
    add_audit_entry(user, action, subject, detail)
    db.session.commit()


def audit_trail(subject: str) -> list[AuditEntry]:
    return list(
        db.session.scalars(
            sa.select(AuditEntry)
            .where(AuditEntry.subject == subject)
            .order_by(AuditEntry.id.desc())
        )
    )


def _matching(search: str) -> list[sa.ColumnElement[bool]]:
    if not search:
        return []
    term = search.lower()
    return [
        sa.or_(
            sa.func.lower(AuditEntry.action).contains(term, autoescape=True),
            sa.func.lower(AuditEntry.subject).contains(term, autoescape=True),
            sa.func.lower(AuditEntry.user_email).contains(term, autoescape=True),
        )
    ]


def entries(search: str, page: int) -> tuple[list[AuditEntry], int]:
    """Newest first, PER_PAGE at a time, optionally only those whose action, subject or
    person contains `search`."""
    where = _matching(search)
    total = db.session.scalar(sa.select(sa.func.count(AuditEntry.id)).where(*where)) or 0
    found = db.session.scalars(
        sa.select(AuditEntry)
        .where(*where)
        .order_by(AuditEntry.id.desc())
        .limit(PER_PAGE)
        .offset((max(1, page) - 1) * PER_PAGE)
    ).all()
    return list(found), total


def all_entries(search: str = "", chunk: int = 2000) -> Iterator[AuditEntry]:
    """Every matching entry, oldest first, read by keyset a chunk at a time."""
    last = 0
    while True:
        batch = db.session.scalars(
            sa.select(AuditEntry)
            .where(AuditEntry.id > last, *_matching(search))
            .order_by(AuditEntry.id)
            .limit(chunk)
        ).all()
        if not batch:
            return
        yield from batch
        last = batch[-1].id
        db.session.expunge_all()

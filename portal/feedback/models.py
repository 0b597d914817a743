"""Feedback on the service, given after sending a response.

Nothing here can be tied back to the response it followed: no reference, no response id, no
address, and the week it was given rather than the moment. A time to the second would sit
beside the response's own `submitted_at`, so whoever read both could pair them; even a day can
hold a single response on a quiet, paper-heavy consultation, while a week holds every response
sent that week. The key is random for the same reason: a counting id would give the order
feedback arrived in, which follows the order responses were sent.

What this does not hide: someone with the database itself (not the portal's pages) could read
the physical order rows were written in (SQLite's rowid, PostgreSQL's ctid), which follows
arrival. Officers never see it; the database's own access control covers the rest.
"""

from __future__ import annotations

import enum
import secrets
from datetime import date

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column

from portal.extensions import db, enum_column


class Satisfaction(enum.StrEnum):
    """GOV.UK's five-point satisfaction scale, most satisfied first."""

    VERY_SATISFIED = "very_satisfied"
    SATISFIED = "satisfied"
    NEITHER = "neither"
    DISSATISFIED = "dissatisfied"
    VERY_DISSATISFIED = "very_dissatisfied"

    @property
    def label(self) -> str:
        return str(SATISFACTION_LABELS[self])


SATISFACTION_LABELS = {
    Satisfaction.VERY_SATISFIED: _l("Very satisfied"),
    Satisfaction.SATISFIED: _l("Satisfied"),
    Satisfaction.NEITHER: _l("Neither satisfied nor dissatisfied"),
    Satisfaction.DISSATISFIED: _l("Dissatisfied"),
    Satisfaction.VERY_DISSATISFIED: _l("Very dissatisfied"),
}


def random_key() -> str:
    return secrets.token_hex(16)


class ServiceFeedback(db.Model):  # type: ignore[name-defined]
    """One person's rating, comment, or both, about answering one consultation."""

    id: Mapped[str] = mapped_column(sa.String(32), primary_key=True, default=random_key)
    consultation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("consultation.id", ondelete="CASCADE"), index=True
    )
    # The Monday that starts the UK week it was given in: never the day or the time.
    given_in_week: Mapped[date] = mapped_column(index=True)
    rating: Mapped[Satisfaction | None] = mapped_column(enum_column(Satisfaction, 20))
    # Erased with the consultation's personal details when its retention period ends
    # (portal/privacy/service.py): people write what they like in a box.
    comment: Mapped[str | None] = mapped_column(sa.Text)

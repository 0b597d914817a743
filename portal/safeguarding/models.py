"""A comment flagged because it contains a consultation's safeguarding words.

The flag is the only thing the portal does: no email, no automatic referral. An officer reads
the comment on the safeguarding queue and records what they did (docs/safeguarding.md).
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.consultations.models import Consultation
from portal.extensions import db
from portal.responses.models import Answer


class SafeguardingFlag(db.Model):  # type: ignore[name-defined]
    answer_id: Mapped[int] = mapped_column(
        sa.ForeignKey("answer.id", ondelete="CASCADE"), primary_key=True
    )
    consultation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("consultation.id", ondelete="CASCADE"), index=True
    )
    matched: Mapped[str] = mapped_column(sa.String(500))  # the words found, "; "-separated
    flagged_at: Mapped[datetime] = mapped_column(index=True)
    reviewed_at: Mapped[datetime | None]
    reviewed_by_email: Mapped[str | None] = mapped_column(sa.String(254))
    note: Mapped[str] = mapped_column(sa.Text, default="")  # what the officer did

    answer: Mapped[Answer] = relationship()
    consultation: Mapped[Consultation] = relationship()

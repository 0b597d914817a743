"""A consultation's own words in other languages: the languages added to it, and each text's
translation with the English it was made from.

A translation keeps the English it translates. When the English changes, the two no longer
match and the translation needs a check: nothing has to remember to mark it, so no edit of
the English can leave a stale translation looking current.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.accounts.models import User
from portal.extensions import db


class ConsultationLanguage(db.Model):  # type: ignore[name-defined]
    """A language added to a consultation. Respondents are offered it once an officer has
    marked it checked, with every text translated from the current English."""

    __tablename__ = "consultation_language"
    __table_args__ = (
        sa.UniqueConstraint("consultation_id", "language", name="one_consultation_language"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("consultation.id", ondelete="CASCADE"), index=True
    )
    language: Mapped[str] = mapped_column(sa.String(10))
    added_at: Mapped[datetime] = mapped_column(server_default=sa.func.now())
    # A translation made to show what the portal does (the seeded Polish), not by a qualified
    # translator: said on every page about it until an officer marks it checked.
    demonstration: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    # Set when an officer confirms a qualified translator has checked every text; cleared by
    # any later change to a translated text.
    checked_at: Mapped[datetime | None]
    checked_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL")
    )
    # Moved by every change to this language's texts: a respondent's pages in this language
    # are built once per structure_version and revision (consultations/in_language.py).
    revision: Mapped[int] = mapped_column(default=1, server_default="1")

    checked_by: Mapped[User | None] = relationship()


class TextTranslation(db.Model):  # type: ignore[name-defined]
    """One text of a consultation (its title, a question, an option...) in one language."""

    __tablename__ = "text_translation"
    __table_args__ = (
        sa.UniqueConstraint("consultation_id", "language", "key", name="one_text_translation"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("consultation.id", ondelete="CASCADE"), index=True
    )
    language: Mapped[str] = mapped_column(sa.String(10))
    # Which text: "consultation.title", "question.12.text", "option.40.label"
    # (consultations/translations.py: source_texts).
    key: Mapped[str] = mapped_column(sa.String(80))
    text: Mapped[str] = mapped_column(sa.Text)
    # The English this translates, as it read then.
    english: Mapped[str] = mapped_column(sa.Text)
    updated_at: Mapped[datetime] = mapped_column(
        server_default=sa.func.now(), onupdate=sa.func.now()
    )

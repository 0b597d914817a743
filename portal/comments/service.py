"""Searching, theming and quoting comments. Every change records who made it and when, on the
row and in the audit log, in the same transaction as the change."""

from __future__ import annotations

import re
from collections import defaultdict
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _

from portal.audit import add_audit_entry
from portal.clock import utcnow
from portal.comments.models import CommentTag, QuotableComment, Theme
from portal.consultations.models import Consultation, Question
from portal.extensions import db
from portal.responses.models import Answer

COMMENTS_PER_PAGE = 10
# Where on the results page a comment list sits (an outcome code, or "other"): a question can
# inform two outcomes, so its list appears twice with different ids.
SCOPE_PATTERN = re.compile(r"[A-Za-z0-9.]{1,20}")
QUOTE_MAX_LENGTH = 5000


class ThemeError(ValueError):
    """A theme name that is empty, too long, or already used in this consultation."""


def themes(consultation_id: int) -> list[Theme]:
    return list(
        db.session.scalars(
            sa.select(Theme)
            .where(Theme.consultation_id == consultation_id)
            .order_by(sa.func.lower(Theme.name))
        )
    )


def add_theme(consultation: Consultation, name: str, description: str, user: Any) -> Theme:
    name, description = " ".join(name.split()), description.strip()
    if not name:
        raise ThemeError(_("Enter a name for the theme"))
    if len(name) > 80:
        raise ThemeError(_("The theme's name must be 80 characters or fewer"))
    if any(t.name.lower() == name.lower() for t in themes(consultation.id)):
        raise ThemeError(_("There is already a theme called \u201c%(name)s\u201d", name=name))
    theme = Theme(
        consultation_id=consultation.id,
        name=name,
        description=description[:300],
        created_by_email=user.email,
        created_at=utcnow(),
    )
    db.session.add(theme)
    add_audit_entry(user, "added a theme", f"consultation:{consultation.slug}", name)
    db.session.commit()
    return theme


def find_comment(question: Question, answer_id: int) -> Answer | None:
    """A free-text answer to this question, or None (a number from a URL for another
    question's answer, or a chosen option, is not a comment here)."""
    return db.session.scalar(
        sa.select(Answer).where(
            Answer.id == answer_id,
            Answer.question_id == question.id,
            Answer.option_id.is_(None),
            Answer.text.is_not(None),
        )
    )


def set_themes(answer: Answer, theme_ids: set[int], available: list[Theme], user: Any) -> None:
    """The comment's themes become exactly `theme_ids` (of the consultation's themes)."""
    known = {theme.id: theme for theme in available}
    wanted = {theme_id for theme_id in theme_ids if theme_id in known}
    current = {
        tag.theme_id: tag
        for tag in db.session.scalars(
            sa.select(CommentTag).where(CommentTag.answer_id == answer.id)
        )
    }
    now = utcnow()
    subject = f"comment:{answer.id}"
    for theme_id in sorted(wanted - set(current)):
        db.session.add(
            CommentTag(
                answer_id=answer.id, theme_id=theme_id, tagged_by_email=user.email, tagged_at=now
            )
        )
        add_audit_entry(user, "tagged a comment", subject, known[theme_id].name)
    for theme_id in sorted(set(current) - wanted):
        db.session.delete(current[theme_id])
        add_audit_entry(user, "untagged a comment", subject, known[theme_id].name)
    db.session.commit()


def mark_quotable(answer: Answer, text: str, user: Any) -> QuotableComment:
    """Approve a comment for publication as `text`: the respondent's words with any personal
    details taken out by the officer."""
    text = text.strip()
    quote = db.session.get(QuotableComment, answer.id) or QuotableComment(answer_id=answer.id)
    quote.text = text
    quote.redacted = text != (answer.text or "").strip()
    quote.marked_by_email = user.email
    quote.marked_at = utcnow()
    db.session.add(quote)
    # The audit log says that and how it was redacted, never the words: they may be personal.
    detail = "redacted by the officer" if quote.redacted else "as written"
    add_audit_entry(user, "marked a comment quotable", f"comment:{answer.id}", detail)
    db.session.commit()
    return quote


def quote_of(answer: Answer) -> QuotableComment | None:
    return db.session.get(QuotableComment, answer.id)


def unmark_quotable(answer: Answer, user: Any) -> None:
    quote = db.session.get(QuotableComment, answer.id)
    if quote is None:
        return
    db.session.delete(quote)
    add_audit_entry(user, "withdrew a quotable comment", f"comment:{answer.id}")
    db.session.commit()


def quotable_comments(question_ids: list[int]) -> dict[int, list[QuotableComment]]:
    """Each question's comments approved for publication, oldest approval first."""
    found: dict[int, list[QuotableComment]] = defaultdict(list)
    if not question_ids:
        return found
    for question_id, quote in db.session.execute(
        sa.select(Answer.question_id, QuotableComment)
        .join(Answer, Answer.id == QuotableComment.answer_id)
        .where(Answer.question_id.in_(question_ids))
        .order_by(QuotableComment.marked_at, QuotableComment.answer_id)
    ):
        found[question_id].append(quote)
    return found

"""Searching, theming and quoting comments. Every change records who made it and when, on the
row and in the audit log, in the same transaction as the change."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from portal.audit import add_audit_entry
from portal.clock import utcnow
from portal.comments.models import CommentTag, QuotableComment, Theme
from portal.consultations.models import Consultation, Question, QuestionType
from portal.extensions import db
from portal.reporting import results_index
from portal.reporting.filters import NO_FILTER, ResponseFilter
from portal.responses import tallies
from portal.responses.models import Answer, Response

COMMENTS_PER_PAGE = 10
# Where on the results page a comment list sits (an outcome code, or "other"): a question can
# inform two outcomes, so its list appears twice with different ids.
SCOPE_PATTERN = re.compile(r"[A-Za-z0-9.]{1,20}")
QUOTE_MAX_LENGTH = 5000


class ThemeError(ValueError):
    """A theme name that is empty, too long, or already used in this consultation."""


@dataclass
class Comment:
    id: int  # the answer's id
    text: str
    submitted_at: Any
    themes: list[Theme]
    quote: QuotableComment | None


@dataclass
class CommentPage:
    question: Question
    comments: list[Comment]
    page: int
    total: int
    search: str = ""
    theme: Theme | None = None

    @property
    def page_count(self) -> int:
        return max(1, -(-self.total // COMMENTS_PER_PAGE))

    @property
    def narrowed(self) -> bool:
        return bool(self.search or self.theme)


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
        raise ThemeError("Enter a name for the theme")
    if len(name) > 80:
        raise ThemeError("The theme's name must be 80 characters or fewer")
    if any(t.name.lower() == name.lower() for t in themes(consultation.id)):
        raise ThemeError(f"There is already a theme called \u201c{name}\u201d")
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


def _comment_conditions(
    question: Question, search: str, theme: Theme | None
) -> list[sa.ColumnElement[bool]]:
    where: list[sa.ColumnElement[bool]] = [
        Answer.question_id == question.id,
        Answer.option_id.is_(None),
        Answer.text.is_not(None),
    ]
    if search:
        # Case-insensitive on both databases; % and _ typed by the officer are matched as
        # themselves, not as wildcards.
        where.append(sa.func.lower(Answer.text).contains(search.lower(), autoescape=True))
    if theme is not None:
        where.append(
            sa.exists().where(CommentTag.answer_id == Answer.id, CommentTag.theme_id == theme.id)
        )
    return where


def comment_page(
    question: Question,
    page: int,
    only: ResponseFilter = NO_FILTER,
    search: str = "",
    theme: Theme | None = None,
) -> CommentPage:
    """One page of a question's comments, newest first, with their themes and quotes."""
    where = _comment_conditions(question, search, theme)
    page = max(1, page)
    skip = (page - 1) * COMMENTS_PER_PAGE
    if only.active:
        every = not search and theme is None and question.type != QuestionType.NUMBER
        total, ids = _filtered_comment_ids(question, only, where, skip, every)
    else:
        if search or theme is not None:
            total = db.session.scalar(sa.select(sa.func.count(Answer.id)).where(*where)) or 0
        else:  # every comment: the running tally already holds the count
            counts = tallies.answer_counts([question.id]).get(question.id, {})
            total = counts.get((None, None, None), 0)
        ids = list(
            db.session.scalars(
                sa.select(Answer.id)
                .where(*where)
                # Answers are inserted when their response is sent, so id order is newest
                # first and needs no sort.
                .order_by(Answer.id.desc())
                .limit(COMMENTS_PER_PAGE)
                .offset(skip)
            )
        )
    rows = (
        db.session.execute(
            sa.select(Answer.id, Answer.text, Response.submitted_at)
            .join(Response, Response.id == Answer.response_id)
            .where(Answer.id.in_(ids))
            .order_by(Answer.id.desc())
        ).all()
        if ids
        else []
    )
    ids = [row.id for row in rows]
    tags: dict[int, list[Theme]] = defaultdict(list)
    quotes: dict[int, QuotableComment] = {}
    if ids:
        for tag in db.session.scalars(
            sa.select(CommentTag)
            .where(CommentTag.answer_id.in_(ids))
            .options(sa.orm.joinedload(CommentTag.theme))
        ):
            tags[tag.answer_id].append(tag.theme)
        quotes = {
            quote.answer_id: quote
            for quote in db.session.scalars(
                sa.select(QuotableComment).where(QuotableComment.answer_id.in_(ids))
            )
        }
    comments = [
        Comment(
            id=row.id,
            text=row.text or "",
            submitted_at=row.submitted_at,
            themes=sorted(tags[row.id], key=lambda t: t.name.lower()),
            quote=quotes.get(row.id),
        )
        for row in rows
    ]
    return CommentPage(question, comments, page, total, search, theme)


def _filtered_comment_ids(
    question: Question,
    only: ResponseFilter,
    where: list[sa.ColumnElement[bool]],
    skip: int,
    every: bool,
) -> tuple[int, list[int]]:
    """How many comments the filter matches, and the ids of one page of them, newest first.

    Read newest first in growing batches and checked against the filter's responses (bits of
    the results index, SQL for the newest), so page one of a broad filter reads a few dozen
    comments, where a join would find every matching response first. `every`: all of the
    question's typed answers are comments (not searched, not one theme, not numbers), so the
    index's count of them serves; else every match's response is looked up."""
    matched = results_index.match(question.consultation_id, only)
    if not every:
        rows = db.session.execute(
            sa.select(Answer.id, Answer.response_id).where(*where).order_by(Answer.id.desc())
        ).all()
        members = matched.members(r.response_id for r in rows)
        ids = [r.id for r in rows if r.response_id in members]
        return len(ids), ids[skip : skip + COMMENTS_PER_PAGE]
    total = matched.count_of([results_index.answer_key(question.id, None, None, None)])
    total += (
        db.session.scalar(
            sa.select(sa.func.count(Answer.id)).where(
                *where, *matched.rest.answer_conditions(question.consultation_id)
            )
        )
        or 0
    )
    found: list[int] = []
    before: int | None = None
    batch = 4 * (skip + COMMENTS_PER_PAGE)
    while len(found) < min(total, skip + COMMENTS_PER_PAGE):
        rows = db.session.execute(
            sa.select(Answer.id, Answer.response_id)
            .where(*where, *([Answer.id < before] if before is not None else []))
            .order_by(Answer.id.desc())
            .limit(batch)
        ).all()
        if not rows:
            break
        members = matched.members(r.response_id for r in rows)
        found += [r.id for r in rows if r.response_id in members]
        before, batch = rows[-1].id, batch * 2
    return total, found[skip : skip + COMMENTS_PER_PAGE]


def theme_counts(
    consultation: Consultation, only: ResponseFilter = NO_FILTER
) -> dict[int, list[tuple[Theme, int]]]:
    """For each question, its comments' themes with how many comments carry each, most first:
    one GROUP BY."""
    available = {theme.id: theme for theme in themes(consultation.id)}
    if not available:
        return {}
    found: dict[int, list[tuple[Theme, int]]] = defaultdict(list)
    tagged = sa.select(Answer.question_id, CommentTag.theme_id).join(
        Answer, Answer.id == CommentTag.answer_id
    )
    if only.active:
        # Tags are put on by hand, so they are few beside the responses: each tagged comment's
        # response is looked up in the filter (results_index.Matched.members) and counted here.
        rows = db.session.execute(
            tagged.add_columns(Answer.response_id).where(CommentTag.theme_id.in_(list(available)))
        ).all()
        members = results_index.match(consultation.id, only).members(r[2] for r in rows)
        per_theme: dict[tuple[int, int], int] = defaultdict(int)
        for question_id, theme_id, response_id in rows:
            if response_id in members:
                per_theme[question_id, theme_id] += 1
        for (question_id, theme_id), count in per_theme.items():
            found[question_id].append((available[theme_id], count))
    else:
        for question_id, theme_id, count in db.session.execute(
            tagged.add_columns(sa.func.count())
            .where(CommentTag.theme_id.in_(list(available)))
            .group_by(Answer.question_id, CommentTag.theme_id)
        ):
            found[question_id].append((available[theme_id], count))
    for counted in found.values():
        counted.sort(key=lambda pair: (-pair[1], pair[0].name.lower()))
    return dict(found)


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

"""A question's comments as results show them: a page at a time, narrowed by the results
filter, a search or a theme, with each theme's count. Counted through the same ResponseSet as
the rest of the page, so a filtered page's comments are of the same responses."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from portal.comments.models import CommentTag, QuotableComment, Theme
from portal.comments.service import COMMENTS_PER_PAGE, themes
from portal.consultations.models import Consultation, Question, QuestionType
from portal.extensions import db
from portal.i18n import ENGLISH
from portal.reporting.filters import NO_FILTER, ResponseFilter, language_name
from portal.reporting.response_set import ResponseSet
from portal.responses.models import Answer, Response


@dataclass
class Comment:
    id: int  # the answer's id
    text: str
    submitted_at: Any
    themes: list[Theme]
    quote: QuotableComment | None
    language: str = ENGLISH  # the code of the language its response was given in

    @property
    def language_name(self) -> str | None:
        """The language officers are told it is in ("Polish"); None for English."""
        return None if self.language == ENGLISH else language_name(self.language)


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


def _comment_conditions(
    question: Question, search: str, theme: Theme | None
) -> list[sa.ColumnElement[bool]]:
    where: list[sa.ColumnElement[bool]] = [
        Answer.question_id == question.id,
        Answer.option_id.is_(None),
    ]
    if question.type == QuestionType.NUMBER:
        # The one kind whose answers without an option hold no text. Asked of the others, the
        # condition (true of every such answer) made PostgreSQL, which takes it for true of a
        # few, read all of a question's comments and sort them for one page: 1.8 s at 1,000,000
        # responses, against 0.3 ms reading ix_answer_typed newest first (2026-12-06).
        where.append(Answer.text.is_not(None))
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
    only: ResponseFilter | ResponseSet = NO_FILTER,
    search: str = "",
    theme: Theme | None = None,
) -> CommentPage:
    """One page of a question's comments, newest first, with their themes and quotes."""
    responses = ResponseSet.of(question.consultation_id, only)
    where = _comment_conditions(question, search, theme)
    page = max(1, page)
    skip = (page - 1) * COMMENTS_PER_PAGE
    if responses.filtered:
        every = not search and theme is None and question.type != QuestionType.NUMBER
        total, ids = _filtered_comment_ids(question, responses, where, skip, every)
    else:
        if search or theme is not None:
            total = db.session.scalar(sa.select(sa.func.count(Answer.id)).where(*where)) or 0
        else:  # every comment: the running tally already holds the count
            total = responses.count_of_answer(question.id)
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
            sa.select(Answer.id, Answer.text, Response.submitted_at, Response.language)
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
            language=row.language,
        )
        for row in rows
    ]
    return CommentPage(question, comments, page, total, search, theme)


def _filtered_comment_ids(
    question: Question,
    responses: ResponseSet,
    where: list[sa.ColumnElement[bool]],
    skip: int,
    every: bool,
) -> tuple[int, list[int]]:
    """How many comments the filter matches, and the ids of one page of them, newest first.

    Read newest first in growing batches and checked against the filter's responses (bits of
    the results index, SQL for the newest), so page one of a broad filter reads a few dozen
    comments, where a join would find every matching response first. `every`: all of the
    question's typed answers are comments (not searched, not one theme, not numbers), so the
    set's count of them serves; else every match's response is looked up."""
    if not every:
        rows = db.session.execute(
            sa.select(Answer.id, Answer.response_id).where(*where).order_by(Answer.id.desc())
        ).all()
        members = responses.members(r.response_id for r in rows)
        ids = [r.id for r in rows if r.response_id in members]
        return len(ids), ids[skip : skip + COMMENTS_PER_PAGE]
    total = responses.count_of_answer(question.id)
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
        members = responses.members(r.response_id for r in rows)
        found += [r.id for r in rows if r.response_id in members]
        before, batch = rows[-1].id, batch * 2
    return total, found[skip : skip + COMMENTS_PER_PAGE]


def theme_counts(
    consultation: Consultation, only: ResponseFilter | ResponseSet = NO_FILTER
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
    responses = ResponseSet.of(consultation.id, only)
    if responses.filtered:
        # Tags are put on by hand, so they are few beside the responses: each tagged comment's
        # response is looked up in the set (ResponseSet.members) and counted here.
        rows = db.session.execute(
            tagged.add_columns(Answer.response_id).where(CommentTag.theme_id.in_(list(available)))
        ).all()
        members = responses.members(r[2] for r in rows)
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

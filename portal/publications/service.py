"""Drafting, publishing and showing a consultation's results to the public.

Everything the public sees goes through portal.suppression: no count from 1 to 9, and no
percentage that would give one away. Comments are shown only as an officer approved them
(comments.models.QuotableComment).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from portal.audit import add_audit_entry
from portal.clock import uk_today, utcnow
from portal.comments.models import QuotableComment
from portal.comments.service import quotable_comments
from portal.consultations.models import Consultation, Question, QuestionType
from portal.consultations.question_types import ResultsKind, kind_of
from portal.extensions import db
from portal.publications.models import Publication, PublishedAction
from portal.reporting.service import QuestionResult, percent, question_results
from portal.strategy.models import Outcome, Priority
from portal.suppression import Figure, suppress, suppress_count

TEXT_MAX_LENGTH = 2000


class PublishRefused(Exception):
    def __init__(self, reasons: list[str]) -> None:
        super().__init__("; ".join(reasons))
        self.reasons = reasons


def publishable(question: Question) -> bool:
    """Choice questions publish their summary; comment questions their approved quotes."""
    return kind_of(question).results in (ResultsKind.CHOICES, ResultsKind.COMMENTS)


def publication_of(consultation: Consultation) -> Publication | None:
    return db.session.scalar(
        sa.select(Publication)
        .where(Publication.consultation_id == consultation.id)
        .options(
            selectinload(Publication.questions),
            selectinload(Publication.actions).selectinload(PublishedAction.outcome),
        )
    )


def _publication_for_editing(consultation: Consultation) -> Publication:
    publication = publication_of(consultation)
    if publication is None:
        publication = Publication(consultation_id=consultation.id, updated_at=utcnow())
        db.session.add(publication)
    return publication


def save_details(
    consultation: Consultation, introduction: str, question_ids: set[int], user: Any
) -> Publication:
    publication = _publication_for_editing(consultation)
    publication.introduction = introduction.strip()[:TEXT_MAX_LENGTH]
    publication.questions = [
        q for q in consultation.questions if q.id in question_ids and publishable(q)
    ]
    publication.updated_at = utcnow()
    add_audit_entry(user, "edited published results", f"consultation:{consultation.slug}")
    db.session.commit()
    return publication


def add_action(
    consultation: Consultation, outcome: Outcome | None, you_said: str, we_did: str, user: Any
) -> PublishedAction:
    publication = _publication_for_editing(consultation)
    action = PublishedAction(
        outcome=outcome,
        you_said=you_said.strip()[:TEXT_MAX_LENGTH],
        we_did=we_did.strip()[:TEXT_MAX_LENGTH],
        position=max((a.position for a in publication.actions), default=0) + 1,
    )
    publication.actions.append(action)
    publication.updated_at = utcnow()
    add_audit_entry(
        user, "added a \u201cyou said, we did\u201d", f"consultation:{consultation.slug}"
    )
    db.session.commit()
    return action


def remove_action(consultation: Consultation, action_id: int, user: Any) -> bool:
    publication = publication_of(consultation)
    action = (
        next((a for a in publication.actions if a.id == action_id), None) if publication else None
    )
    if publication is None or action is None:
        return False
    publication.actions.remove(action)
    publication.updated_at = utcnow()
    add_audit_entry(
        user, "removed a \u201cyou said, we did\u201d", f"consultation:{consultation.slug}"
    )
    db.session.commit()
    return True


def refusals(consultation: Consultation, publication: Publication | None, today: date) -> list[str]:
    """Why the results cannot be published yet; empty when they can."""
    reasons = []
    if consultation.phase_on(today) != "closed":
        reasons.append(_("The consultation must be closed before its results are published"))
    if publication is None or not (publication.questions or publication.actions):
        reasons.append(_("Choose at least one question, or add a \u201cyou said, we did\u201d"))
    return reasons


def publish(consultation: Consultation, user: Any, today: date | None = None) -> Publication:
    publication = publication_of(consultation)
    reasons = refusals(consultation, publication, today or uk_today())
    if reasons:
        raise PublishRefused(reasons)
    assert publication is not None
    publication.published_at = utcnow()
    publication.published_by_email = user.email
    add_audit_entry(user, "published results", f"consultation:{consultation.slug}")
    db.session.commit()
    return publication


def unpublish(consultation: Consultation, user: Any) -> None:
    publication = publication_of(consultation)
    if publication is None or publication.published_at is None:
        return
    publication.published_at = None
    add_audit_entry(user, "withdrew published results", f"consultation:{consultation.slug}")
    db.session.commit()


def published() -> list[Publication]:
    """Every published results page, newest first, for the public index."""
    return list(
        db.session.scalars(
            sa.select(Publication)
            .where(Publication.published_at.is_not(None))
            .order_by(Publication.published_at.desc())
            .options(selectinload(Publication.consultation))
        )
    )


def published_for(slug: str) -> Publication | None:
    return db.session.scalar(
        sa.select(Publication)
        .join(Consultation, Consultation.id == Publication.consultation_id)
        .where(Consultation.slug == slug, Publication.published_at.is_not(None))
    )


# -- what the public sees ---------------------------------------------------------------------


@dataclass
class PublicRow:
    label: str
    figure: Figure
    percent: float | None  # None when the count is hidden: a percentage would give it away


@dataclass
class PublicQuestion:
    question: Question
    answered: Figure
    rows: list[PublicRow] = field(default_factory=list)
    net_agreement: float | None = None
    quotes: list[str] = field(default_factory=list)
    # A routed question's conditions, in words: its figures are of the people asked it.
    asked_when: list[str] = field(default_factory=list)
    # Rankings, numbers and dates have no table of people per answer: officers see them on
    # the results page; here the page says so rather than showing an empty table.
    not_tabulated: bool = False

    @property
    def comments(self) -> bool:
        return kind_of(self.question).results == ResultsKind.COMMENTS

    @property
    def too_few(self) -> bool:
        """Fewer than 10 answered: nothing of the breakdown is shown."""
        return self.answered.hidden

    @property
    def several(self) -> bool:
        return self.question.type == QuestionType.MULTIPLE_CHOICE

    @property
    def row_heading(self) -> str:
        """What each row of the table is."""
        kind = kind_of(self.question).results
        if kind == ResultsKind.AREAS:
            return _("Deprivation decile of the postcode area")
        if kind == ResultsKind.MATRIX:
            return _("Statement: answer")
        return _("Answer")


@dataclass
class OutcomeActions:
    outcome: Outcome | None  # None: actions tied to no outcome
    actions: list[PublishedAction]


@dataclass
class PublicResults:
    publication: Publication
    consultation: Consultation
    responses: Figure
    questions: list[PublicQuestion]
    actions: list[OutcomeActions]


def public_results(publication: Publication, consultation: Consultation) -> PublicResults:
    """The published page's figures: exact counts from the results service, then suppressed."""
    total, results = question_results(consultation)
    chosen_ids = {q.id for q in publication.questions}
    chosen = [q for q in consultation.questions if q.id in chosen_ids and publishable(q)]
    quotes = quotable_comments([q.id for q in chosen])
    questions = [
        public_question(question, results.get(question.id), quotes.get(question.id, []))
        for question in chosen
    ]
    return PublicResults(
        publication=publication,
        consultation=consultation,
        responses=suppress_count(total),
        questions=questions,
        actions=_actions_by_outcome(publication.actions),
    )


def public_question(
    question: Question, result: QuestionResult | None, quotes: list[QuotableComment]
) -> PublicQuestion:
    """One question's figures as anyone but an officer may see them."""
    answered = result.answered if result else 0
    public = PublicQuestion(
        question, suppress_count(answered), asked_when=result.asked_when if result else []
    )
    kind = kind_of(question).results
    if kind == ResultsKind.COMMENTS:
        public.quotes = [quote.text for quote in quotes]
    elif result is None or public.too_few:
        pass
    elif kind == ResultsKind.MATRIX:
        # A row per statement and answer ("Graffiti: A big problem"), each statement's
        # figures of the people who answered it.
        for statement in result.statements:
            public.rows += _public_rows(
                [
                    _(
                        "%(statement)s: %(answer)s",
                        statement=statement.statement.shown_label,
                        answer=o.option.shown_label,
                    )
                    for o in statement.options
                ],
                [o.count for o in statement.options],
                statement.answered,
                adds_up=True,
            )
    elif kind == ResultsKind.AREAS:
        public.rows = _public_rows(
            [area.label for area in result.areas],
            [area.count for area in result.areas],
            answered,
            adds_up=True,
        )
    elif kind == ResultsKind.CHOICES:
        rows = result.choice_rows  # in the form's order
        counts = [row.count for row in rows]
        labels = [
            row.label if row.option else _("Other: %(label)s", label=row.label) for row in rows
        ]
        public.rows = _public_rows(labels, counts, answered, adds_up=not public.several)
        if result.net_agreement is not None and not any(r.figure.hidden for r in public.rows):
            public.net_agreement = result.net_agreement
    else:
        public.not_tabulated = True
    return public


def _public_rows(labels: list[str], counts: list[int], base: int, adds_up: bool) -> list[PublicRow]:
    """Rows of people per answer, small numbers suppressed. Where the counts add up to `base`
    (one answer each), one hidden cell could be worked out from it: the shared rule hides a
    second."""
    figures, _ = suppress(counts, base if adds_up else None)
    return [
        PublicRow(label, figure, None if figure.hidden else percent(figure.value, base))
        for label, figure in zip(labels, figures, strict=True)
    ]


def _actions_by_outcome(actions: list[PublishedAction]) -> list[OutcomeActions]:
    grouped: dict[int | None, OutcomeActions] = {}
    for action in actions:
        key = action.outcome_id
        grouped.setdefault(key, OutcomeActions(action.outcome, [])).actions.append(action)

    def order(group: OutcomeActions) -> tuple[int, int, int]:
        if group.outcome is None:
            return (1, 0, 0)
        return (0, group.outcome.priority.position, group.outcome.position)

    return sorted(grouped.values(), key=order)


def outcomes_for_actions(consultation: Consultation) -> list[Outcome]:
    """The outcomes a "you said, we did" can sit under: those the consultation's questions
    inform first, then every other, in the strategy's order."""
    linked = {o.id for q in consultation.questions for o in q.outcomes}
    every = db.session.scalars(
        sa.select(Outcome).join(Priority).order_by(Priority.position, Outcome.position)
    ).all()
    return [o for o in every if o.id in linked] + [o for o in every if o.id not in linked]

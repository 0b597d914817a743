"""Rules about consultations: which are open, and the frozen snapshot responses refer to."""

from __future__ import annotations

import contextlib
import hashlib
import json
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from portal.consultations.in_language import forget_translated, shown_in
from portal.consultations.models import (
    Consultation,
    ConsultationSnapshot,
    ConsultationStatus,
    DisplayCondition,
    Page,
    Question,
)
from portal.consultations.structure import CONDITION_PARTS, forget_structures, structure_held

# The respondent's journey (portal/responses) reads the structure through these names too.
from portal.consultations.structure import JOURNEY_COLUMNS as JOURNEY_COLUMNS
from portal.consultations.structure import consultation_from_row as consultation_from_row
from portal.consultations.structure import with_cached_structure as with_cached_structure
from portal.extensions import db, runs_without_transaction
from portal.i18n import ENGLISH


def consultation_for_journey(slug: str) -> Consultation | None:
    """The consultation, fresh from the database, with its structure from the process
    (portal/consultations/structure.py)."""
    consultation = db.session.scalar(sa.select(Consultation).where(Consultation.slug == slug))
    return with_cached_structure(consultation) if consultation is not None else None


def consultation_with_questions(slug: str) -> Consultation | None:
    """The consultation and all its pages, questions and options, and the outcomes and
    indicators each question informs, in a query each."""
    questions = selectinload(Consultation.pages).selectinload(Page.questions)
    return db.session.scalar(
        sa.select(Consultation)
        .where(Consultation.slug == slug)
        .options(
            questions.selectinload(Question.options),
            questions.selectinload(Question.outcomes),
            questions.selectinload(Question.indicators),
            questions.selectinload(Question.conditions).options(*CONDITION_PARTS),
            selectinload(Consultation.pages)
            .selectinload(Page.conditions)
            .options(*CONDITION_PARTS),
        )
    )


def all_consultations() -> list[Consultation]:
    """Every consultation, open ones first, then by title."""
    order = sa.case(
        (Consultation.status == ConsultationStatus.OPEN, 0),
        (Consultation.status == ConsultationStatus.DRAFT, 1),
        else_=2,
    )
    return list(db.session.scalars(sa.select(Consultation).order_by(order, Consultation.title)))


def open_consultations(today: date) -> list[Consultation]:
    """Published consultations whose dates include today, closing soonest first."""
    statement = (
        sa.select(Consultation)
        .where(
            Consultation.status == ConsultationStatus.OPEN,
            sa.or_(Consultation.opens_on.is_(None), Consultation.opens_on <= today),
            sa.or_(Consultation.closes_on.is_(None), Consultation.closes_on >= today),
        )
        .order_by(Consultation.closes_on.is_(None), Consultation.closes_on, Consultation.title)
    )
    return list(db.session.scalars(statement))


def snapshot_content(consultation: Consultation) -> dict[str, Any]:
    """Everything a respondent saw that gives an answer its meaning."""

    def number(value: Any) -> str | None:
        return None if value is None else format(value.normalize(), "f")

    def conditions(items: list[DisplayCondition]) -> list[dict[str, Any]]:
        return [
            {
                "source": item.source_question.key,
                "operator": item.operator.value,
                "value": item.option.value,
            }
            for item in items
        ]

    return {
        "title": consultation.title,
        "pages": [
            {
                "position": page.position,
                "title": page.title,
                "conditions": conditions(page.conditions),
                "questions": [
                    {
                        "id": question.id,
                        "key": question.key,
                        "type": question.type.value,
                        "text": question.text,
                        "hint": question.hint,
                        "other_label": question.other_label,
                        "max_selections": question.max_selections,
                        "min_value": number(question.min_value),
                        "max_value": number(question.max_value),
                        "decimal_places": question.decimal_places,
                        "conditions": conditions(question.conditions),
                        "options": [
                            {
                                "id": option.id,
                                "value": option.value,
                                "label": option.label,
                                "kind": option.kind.value,
                            }
                            for option in question.options
                        ],
                    }
                    for question in page.questions
                ],
            }
            for page in consultation.pages
        ],
    }


def current_snapshot_id(consultation: Consultation) -> int:
    """The id of the snapshot of the consultation's current wording: remembered by the
    process's structure once a committed snapshot is known, otherwise found or created in this
    transaction. Snapshots are never changed or deleted, so a remembered id stays right."""
    if shown_in(consultation) != ENGLISH:
        # A snapshot is the English wording, whatever language a response was given in.
        raise ValueError(f"{consultation.slug}: a translated copy never makes a snapshot")
    structure = structure_held(consultation)
    known = structure.snapshot_id(consultation.title) if structure is not None else None
    if known is not None:
        return known
    snapshot, existed = _find_or_create_snapshot(consultation)
    if existed and structure is not None:  # only a committed row is safe to remember
        structure.remember_snapshot_id(consultation.title, snapshot.id)
    return snapshot.id


def forget_snapshot_ids() -> None:
    """Forget every remembered snapshot id (a restored database may lack them)."""
    forget_structures()


def forget_cached_consultations() -> None:
    """Drop every structure and what it remembers, and every translated copy of one (tests
    that empty the database use it)."""
    forget_structures()
    forget_translated()


def current_snapshot(consultation: Consultation) -> ConsultationSnapshot:
    return _find_or_create_snapshot(consultation)[0]


def _find_or_create_snapshot(consultation: Consultation) -> tuple[ConsultationSnapshot, bool]:
    """The snapshot of the consultation as it reads now, created once per distinct wording.

    Runs inside the caller's transaction, or in autocommit when the caller has none (sending a
    response on PostgreSQL), where the insert commits alone. Two submissions racing to create
    the same snapshot are settled by the unique constraint: the loser re-reads the winner's row.
    """
    content = snapshot_content(consultation)
    digest = hashlib.sha256(
        json.dumps(content, sort_keys=True, separators=(",", ":")).encode()
    ).hexdigest()
    lookup = sa.select(ConsultationSnapshot).where(
        ConsultationSnapshot.consultation_id == consultation.id,
        ConsultationSnapshot.content_hash == digest,
    )
    snapshot = db.session.scalar(lookup)
    if snapshot is not None:
        return snapshot, True
    snapshot = ConsultationSnapshot(
        consultation_id=consultation.id, content_hash=digest, content=content
    )
    # In autocommit there is no savepoint, and none is needed: the insert commits or fails alone.
    autocommit = runs_without_transaction()
    try:
        with contextlib.nullcontext() if autocommit else db.session.begin_nested():
            db.session.add(snapshot)
            db.session.flush()
    except IntegrityError:
        if autocommit:
            db.session.rollback()  # the session's own state, after the failed flush
        return db.session.scalars(lookup).one(), True
    return snapshot, autocommit  # committed already only in autocommit

"""Rules about consultations: which are open, and the frozen snapshot responses refer to."""

from __future__ import annotations

import contextlib
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload, make_transient_to_detached, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from portal.consultations.models import (
    Consultation,
    ConsultationSnapshot,
    ConsultationStatus,
    DisplayCondition,
    Page,
    Question,
)
from portal.consultations.page_plans import freeze_plan
from portal.consultations.question_types.base import freeze_choices
from portal.extensions import db, runs_without_transaction


@dataclass(frozen=True)
class _CachedStructure:
    version: int
    pages: list[Page]


# A condition's source question and option, loaded with it: cached objects are detached and
# can never lazy-load.
_CONDITION_PARTS = (
    joinedload(DisplayCondition.source_question),
    joinedload(DisplayCondition.option),
)

# (database URL, consultation id) -> the consultation's pages, questions and options, loaded
# once per process and kept detached. Read-only: nothing may change these objects.
_structures: dict[tuple[str, int], _CachedStructure] = {}


def consultation_for_journey(slug: str) -> Consultation | None:
    """The consultation, fresh from the database, with its structure from the process cache.

    Loading every page, question and option was over half the time of a question page, and a
    consultation's wording changes rarely. Its row (status, dates, title, structure_version) is
    read on every request, so closing a consultation takes effect at once and several app
    servers never disagree; the structure is reloaded whenever structure_version moves.
    """
    consultation = db.session.scalar(sa.select(Consultation).where(Consultation.slug == slug))
    return with_cached_structure(consultation) if consultation is not None else None


def with_cached_structure(consultation: Consultation) -> Consultation:
    """Attach the consultation's pages, questions and options from the process cache."""
    key = (str(db.engine.url), consultation.id)
    cached = _structures.get(key)
    if cached is None or cached.version != consultation.structure_version:
        with Session(db.engine, expire_on_commit=False) as session:
            loaded = session.scalars(
                sa.select(Page)
                .where(Page.consultation_id == consultation.id)
                .order_by(Page.position)
                .options(
                    selectinload(Page.questions).selectinload(Question.options),
                    selectinload(Page.questions)
                    .selectinload(Question.conditions)
                    .options(*_CONDITION_PARTS),
                    selectinload(Page.conditions).options(*_CONDITION_PARTS),
                )
            ).all()
            version = session.scalar(
                sa.select(Consultation.structure_version).where(Consultation.id == consultation.id)
            )
            session.expunge_all()
        for page in loaded:
            for question in page.questions:
                freeze_choices(question)
            freeze_plan(page)
        cached = _CachedStructure(version=version or 0, pages=list(loaded))
        _structures[key] = cached
    # Attach the cached pages as already loaded, without marking the consultation changed.
    set_committed_value(consultation, "pages", cached.pages)
    return consultation


# The consultation's own columns, for a journey read without the ORM (consultation_from_row).
JOURNEY_COLUMNS = tuple(attribute.columns[0] for attribute in sa.inspect(Consultation).column_attrs)
_JOURNEY_KEYS = tuple(attribute.key for attribute in sa.inspect(Consultation).column_attrs)
_JOURNEY_ID = _JOURNEY_KEYS.index("id")
# (database URL, consultation id) -> the row last read and a detached Consultation built from it.
_journey_consultations: dict[tuple[str, int], tuple[tuple[Any, ...], Consultation]] = {}


def consultation_from_row(row: Sequence[Any]) -> Consultation:
    """The consultation whose JOURNEY_COLUMNS are `row`, with its structure from the cache.

    The row is read afresh by every request that calls this, so closing a consultation or
    changing its dates takes effect at once; an object is built only when the row differs from
    the one last read. The object is shared by the process's requests, detached and read-only
    like the cached structure: nothing may change it or add it to a session (its id is what
    gets written, as a foreign key).
    """
    values = tuple(row)
    key = (str(db.engine.url), values[_JOURNEY_ID])
    known = _journey_consultations.get(key)
    if known is not None and known[0] == values:
        return known[1]
    consultation = Consultation(**dict(zip(_JOURNEY_KEYS, values, strict=True)))
    make_transient_to_detached(consultation)  # as if loaded: no changes pending
    with_cached_structure(consultation)
    _journey_consultations[key] = (values, consultation)
    return consultation


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
            questions.selectinload(Question.conditions).options(*_CONDITION_PARTS),
            selectinload(Consultation.pages)
            .selectinload(Page.conditions)
            .options(*_CONDITION_PARTS),
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


# (database URL, consultation id, structure_version, title) -> id of a committed snapshot.
# Snapshots are never changed or deleted, so a remembered id stays right.
_snapshot_ids: dict[tuple[str, int, int, str], int] = {}


def current_snapshot_id(consultation: Consultation) -> int:
    """The id of the snapshot of the consultation's current wording, from the process cache
    when a committed snapshot is known, otherwise found or created in this transaction."""
    key = (str(db.engine.url), consultation.id, consultation.structure_version, consultation.title)
    cached = _snapshot_ids.get(key)
    if cached is not None:
        return cached
    snapshot, existed = _find_or_create_snapshot(consultation)
    if existed:  # only a committed row is safe to remember; a new one may yet roll back
        _snapshot_ids[key] = snapshot.id
    return snapshot.id


def forget_snapshot_ids() -> None:
    _snapshot_ids.clear()


def forget_cached_consultations() -> None:
    """Drop every cached structure and snapshot id (tests that rebuild the database use it)."""
    _structures.clear()
    _snapshot_ids.clear()
    _journey_consultations.clear()


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

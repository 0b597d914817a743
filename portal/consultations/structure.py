"""A consultation's structure (its pages, questions, options and display conditions) at one
structure_version: loaded once per process, shared by every request, never changed.

structure_version moves whenever anything a respondent's journey reads from the structure is
added, changed or deleted, by one before_flush listener on every session (below), so no
builder function can forget it. Every request reads the consultation's row afresh (its status,
dates and structure_version), so a change made on any app server is asked on every other from
its next request: the process keeps the structure of each consultation's latest version only,
and loads it again when the row's version is not the one it holds.

Why a process holds it at all, measured on the seeded bullying consultation (14 pages; Flask
test client; the process's CPU time; median of three runs, each the median of 200 requests to
question page 7 and of 35 sendings): loading the structure on every request instead took a
question page from 2.8 to 14.1 ms on SQLite and from 2.2 to 15.2 ms on PostgreSQL, and sending
a response from 4.9 to 17.7 ms and 4.7 to 17.6 ms. That cost is per request whatever the
number of responses, so at county scale (a peak of 50 submissions a second) it is most of a
question page's and a submission's work.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Session, joinedload, make_transient_to_detached, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from portal.consultations.models import Consultation, DisplayCondition, Option, Page, Question
from portal.consultations.page_plans import freeze_plan
from portal.consultations.question_types.base import freeze_choices
from portal.extensions import db

# A condition's source question and option, loaded with it: the structure's objects are
# detached and can never lazy-load.
CONDITION_PARTS = (
    joinedload(DisplayCondition.source_question),
    joinedload(DisplayCondition.option),
)

# The consultation's own columns, for a journey read without the ORM (consultation_from_row).
JOURNEY_COLUMNS = tuple(attribute.columns[0] for attribute in sa.inspect(Consultation).column_attrs)
_JOURNEY_KEYS = tuple(attribute.key for attribute in sa.inspect(Consultation).column_attrs)
_JOURNEY_ID = _JOURNEY_KEYS.index("id")
_JOURNEY_VERSION = _JOURNEY_KEYS.index("structure_version")


@dataclass(frozen=True, eq=False)
class Structure:
    """One consultation's pages, questions, options and conditions at one structure_version,
    detached from any session. Read-only: nothing may change these objects.

    It also remembers two things worked out from it, which stay right for as long as the
    version does: the id of the committed snapshot of its wording, by consultation title (the
    one thing a snapshot holds besides the structure), and the consultation object last built
    from a row read by a journey."""

    consultation_id: int
    version: int
    pages: tuple[Page, ...]
    _snapshot_ids: dict[str, int] = field(default_factory=dict, repr=False)
    _journey_consultation: list[tuple[tuple[Any, ...], Consultation]] = field(
        default_factory=list, repr=False
    )

    def attach_to(self, consultation: Consultation) -> Consultation:
        """The consultation, with these pages as already loaded (not marked changed)."""
        set_committed_value(consultation, "pages", list(self.pages))
        return consultation

    def snapshot_id(self, title: str) -> int | None:
        return self._snapshot_ids.get(title)

    def remember_snapshot_id(self, title: str, snapshot_id: int) -> None:
        """Only a committed snapshot's id: a new one may yet roll back."""
        self._snapshot_ids[title] = snapshot_id

    def consultation_from(self, values: tuple[Any, ...]) -> Consultation:
        """A detached consultation built from its row, with this structure: the same object
        while the row reads the same."""
        if self._journey_consultation and self._journey_consultation[0][0] == values:
            return self._journey_consultation[0][1]
        consultation = Consultation(**dict(zip(_JOURNEY_KEYS, values, strict=True)))
        make_transient_to_detached(consultation)  # as if loaded: no changes pending
        self.attach_to(consultation)
        self._journey_consultation[:] = [(values, consultation)]
        return consultation


# (database URL, consultation id) -> the structure of the consultation's latest version this
# process has read. The one cache of a consultation's structure: see the module's docstring.
_structures: dict[tuple[str, int], Structure] = {}


def structure_of(consultation_id: int, version: int) -> Structure:
    """The consultation's structure at `version`, loaded now unless the process holds it."""
    key = (str(db.engine.url), consultation_id)
    structure = _structures.get(key)
    if structure is None or structure.version != version:
        structure = load_structure(consultation_id)
        _structures[key] = structure
    return structure


def load_structure(consultation_id: int) -> Structure:
    """The consultation's structure read now, as new detached objects of its own."""
    with Session(db.engine, expire_on_commit=False) as session:
        # The version is read before the pages: a change committed between the two leaves the
        # structure labelled older than it is, so it is loaded again, never kept stale.
        version = session.scalar(
            sa.select(Consultation.structure_version).where(Consultation.id == consultation_id)
        )
        pages = session.scalars(
            sa.select(Page)
            .where(Page.consultation_id == consultation_id)
            .order_by(Page.position)
            .options(
                selectinload(Page.questions).selectinload(Question.options),
                selectinload(Page.questions)
                .selectinload(Question.conditions)
                .options(*CONDITION_PARTS),
                selectinload(Page.conditions).options(*CONDITION_PARTS),
            )
        ).all()
        session.expunge_all()
    for page in pages:
        for question in page.questions:
            # Each way round, as a detached object can never lazy-load its page.
            set_committed_value(question, "page", page)
            freeze_choices(question)
        freeze_plan(page)
    return Structure(consultation_id, version or 0, tuple(pages))


def with_cached_structure(consultation: Consultation) -> Consultation:
    """The consultation with its pages, questions and options from the process's structure."""
    return structure_of(consultation.id, consultation.structure_version).attach_to(consultation)


def consultation_from_row(row: Sequence[Any]) -> Consultation:
    """The consultation whose JOURNEY_COLUMNS are `row`, with its structure.

    The row is read afresh by every request that calls this, so closing a consultation or
    changing its dates takes effect at once; an object is built only when the row differs from
    the one last read. The object is shared by the process's requests, detached and read-only
    like the structure: nothing may change it or add it to a session (its id is what gets
    written, as a foreign key).
    """
    values = tuple(row)
    structure = structure_of(values[_JOURNEY_ID], values[_JOURNEY_VERSION])
    return structure.consultation_from(values)


def structure_held(consultation: Consultation) -> Structure | None:
    """The structure the process holds for the consultation's current version, if any."""
    structure = _structures.get((str(db.engine.url), consultation.id))
    if structure is None or structure.version != consultation.structure_version:
        return None
    return structure


def forget_structures() -> None:
    """Drop every structure (tests that empty the database, whose ids then restart, use it)."""
    _structures.clear()


# Moving structure_version -------------------------------------------------------------------

# What a respondent's journey, and a response's snapshot, read from a consultation besides its
# own row, which every request reads afresh.
STRUCTURE_MODELS = (Page, Question, Option, DisplayCondition)


@event.listens_for(Session, "before_flush")
def _move_structure_version(session: Session, flush_context: Any, instances: Any) -> None:
    """Move the structure_version of every consultation whose structure this flush changes,
    in the flush's own transaction, as one UPDATE ... SET structure_version + 1 (two officers
    saving at once each move it)."""
    changed = [item for item in (*session.new, *session.deleted) if _in_structure(item)]
    changed += [item for item in session.dirty if _in_structure(item) and session.is_modified(item)]
    with session.no_autoflush:
        ids = {
            consultation_id
            for item in changed
            if (consultation_id := _consultation_id(session, item)) is not None
        }
        for consultation in _consultations(session, ids):
            consultation.structure_version = Consultation.structure_version + 1


def _in_structure(item: object) -> bool:
    return isinstance(item, STRUCTURE_MODELS)


def _consultation_id(session: Session, item: Any) -> int | None:
    """The consultation an item belongs to; from its column when the item is being removed
    from it (a deleted orphan no longer points at its parent, but still holds its id)."""
    if isinstance(item, Option):
        question = item.question
        if question is None and item.question_id is not None:
            question = session.get(Question, item.question_id)
        return _consultation_id(session, question) if question is not None else None
    if item.consultation_id is not None:
        return int(item.consultation_id)
    parent = item.consultation
    return parent.id if parent is not None else None


def _consultations(session: Session, ids: Iterable[int]) -> list[Consultation]:
    found = (session.get(Consultation, consultation_id) for consultation_id in ids)
    return [item for item in found if item is not None and item not in session.deleted]

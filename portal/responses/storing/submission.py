"""What one submission writes, and the ways it can find itself beaten to it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any


class DraftTaken(Exception):
    """The draft was submitted already (a double click, or two tabs at once)."""


class InvitationTaken(Exception):
    """The panel member's personal link has brought a response already."""


@dataclass(frozen=True)
class Flag:
    """A typed answer holding safeguarding words: which question, its text, the words."""

    question_id: int
    text: str
    matched: str


@dataclass(frozen=True)
class Submission:
    """Everything one submission writes."""

    response: dict[str, Any]  # the response row's columns
    draft_id: int
    # Answer rows: the question_id and whichever of the other answer columns the answer has
    # (a column left out is NULL).
    answers: list[dict[str, Any]]
    invitation_to_claim: int | None = None  # a panel member's personal link
    flags: Sequence[Flag] = ()
    group_ids: Sequence[int] = ()  # the invited member's panel groups

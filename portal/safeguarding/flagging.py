"""Typed answers holding a consultation's safeguarding words, flagged as the response is
stored: safeguarding listens to the submission (responses.events.submitting), so the flags
are written in the response's own transaction and responses never import safeguarding."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from portal.responses.events import submitting
from portal.responses.storing.submission import Flag
from portal.safeguarding.terms import matches

if TYPE_CHECKING:
    from portal.consultations.models import Consultation


@submitting.connect
def flags_for(consultation: Consultation, answers: list[dict[str, Any]]) -> list[Flag]:
    """A flag for each typed answer holding the consultation's words (the words found, as the
    queue shows them)."""
    terms = consultation.safeguarding_terms or ""
    if not terms:
        return []
    return [
        Flag(answer["question_id"], text, "; ".join(found)[:500])
        for answer in answers
        if (text := answer.get("text")) and (found := matches(terms, text))
    ]

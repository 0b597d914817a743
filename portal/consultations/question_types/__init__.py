"""Question types, one class each, found through one registry (see registry.py).

A new type is a subclass of QuestionKind in one of these modules, decorated with @register,
plus its macro in templates/components/questions.html.
"""

from portal.consultations.question_types import choice, structured, text
from portal.consultations.question_types.base import (
    OTHER,
    AnswerRow,
    QuestionKind,
    ResultsKind,
    Stored,
    option_field_name,
    other_field_name,
)
from portal.consultations.question_types.registry import REGISTRY, kind_for, kind_of

__all__ = [
    "OTHER",
    "REGISTRY",
    "AnswerRow",
    "QuestionKind",
    "ResultsKind",
    "Stored",
    "choice",
    "kind_for",
    "kind_of",
    "option_field_name",
    "other_field_name",
    "structured",
    "text",
]

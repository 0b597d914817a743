"""The one place question types are found: by a question's type, never by if-chains."""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar

from portal.consultations.models import Question, QuestionType

if TYPE_CHECKING:
    from portal.consultations.question_types.base import QuestionKind

REGISTRY: dict[QuestionType, QuestionKind] = {}
K = TypeVar("K", bound="type[QuestionKind]")


def register(cls: K) -> K:
    REGISTRY[cls.type] = cls()
    return cls


def kind_of(question: Question) -> QuestionKind:
    return REGISTRY[question.type]


def kind_for(question_type: QuestionType) -> QuestionKind:
    return REGISTRY[question_type]

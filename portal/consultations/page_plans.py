"""A page as a respondent's journey asks about it: its questions, their keys and kinds, and the
display conditions each must meet.

A journey asks these of every page many times a request (which pages apply, whether each is
complete, what to store), and each read of an ORM attribute is a Python-level call: reading
them once into a plan took checking a draft complete from 81 to 47 microseconds
(bench/results.md; measured again with the remembered choices of question_types.base: a
question page 2.2 ms of CPU with both, 2.8 ms without, on PostgreSQL; 2.8 and 2.9 ms on
SQLite, consultations/structure.py says how). The pages of a structure, which nothing
changes, keep their plan; any other page (the builder's, a preview's) is planned afresh for
each journey, so an edit is never missed.
"""

from __future__ import annotations

from dataclasses import dataclass

from portal.consultations.models import DisplayCondition, Page, Question
from portal.consultations.question_types import QuestionKind, kind_of


@dataclass(frozen=True)
class PagePlan:
    questions: tuple[Question, ...]
    keys: tuple[str, ...]
    kinds: tuple[QuestionKind, ...]
    # By question: the page's conditions, then the question's own. All must hold.
    conditions: dict[Question, tuple[DisplayCondition, ...]]


def conditions_of(page: Page, question: Question) -> tuple[DisplayCondition, ...]:
    """Every condition the question must meet: its page's, then its own."""
    return tuple(page.conditions) + tuple(question.conditions)


def _planned(page: Page) -> PagePlan:
    questions = tuple(page.questions)
    return PagePlan(
        questions=questions,
        keys=tuple(question.key for question in questions),
        kinds=tuple(kind_of(question) for question in questions),
        conditions={question: conditions_of(page, question) for question in questions},
    )


# Kept on the page object itself, so it goes with its structure.
_FROZEN_PLAN = "_frozen_plan"


def freeze_plan(page: Page) -> None:
    """Remember a structure's (read-only) page's plan."""
    setattr(page, _FROZEN_PLAN, _planned(page))


def plan_of(page: Page) -> PagePlan:
    """The page's plan: remembered for a structure's page, else read now."""
    frozen: PagePlan | None = getattr(page, _FROZEN_PLAN, None)
    return frozen if frozen is not None else _planned(page)

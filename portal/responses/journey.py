"""A respondent's way through a consultation: which pages and questions apply to them, given
the answers in their draft, and what they have answered."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from portal.consultations.models import Consultation, DisplayCondition, Page, Question
from portal.consultations.page_plans import PagePlan, conditions_of, plan_of
from portal.consultations.question_types import QuestionKind, Stored, kind_of
from portal.responses.models import ReadOnlyDraft, ResponseDraft

# A journey over a draft loaded to change it (a page of answers saved) or only to read it.
DraftT = TypeVar("DraftT", ResponseDraft, ReadOnlyDraft)


@dataclass(frozen=True)
class PageView:
    """One page as this respondent meets it: only the questions that apply, numbered among
    the pages that apply ("Page 2 of 6" moves when an answer routes pages in or out)."""

    page: Page
    questions: list[Question]
    number: int
    count: int
    # Every page there could be: while routing may still bring pages in, "Page 4 of up to 14"
    # rather than a count that grows under the respondent's feet.
    most: int = 0

    @property
    def may_grow(self) -> bool:
        return self.most > self.count

    @property
    def position(self) -> int:
        return self.page.position

    @property
    def question_is_heading(self) -> bool:
        """GOV.UK pattern: a page with one question and no title asks it as its heading."""
        return len(self.questions) == 1 and not self.page.title

    @property
    def heading(self) -> str:
        if self.question_is_heading or not self.page.title:
            return self.questions[0].text if self.questions else ""
        return self.page.title


class Journey(Generic[DraftT]):
    """A respondent's way through a consultation, given the answers in their draft.

    Display conditions are evaluated here, on the server, for every request: a page or question
    applies only when all its conditions hold on earlier answers that themselves apply. What
    each page asks is read once into its plan (consultations.page_plans), and what applies is
    worked out once per journey.
    """

    def __init__(self, consultation: Consultation, draft: DraftT) -> None:
        self.consultation = consultation
        self.draft: DraftT = draft
        # Held here, not read through the consultation: saving a page commits, which expires
        # the consultation, and reading its pages again would reload every page, question and
        # option from the database instead of using the process's cached structure.
        self.all_pages: list[Page] = list(consultation.pages)
        self._plans: dict[Page, PagePlan] = {page: plan_of(page) for page in self.all_pages}
        # Cached pages are detached, so a question's page is looked up here, not lazy-loaded.
        self._page_of: dict[int, Page] = {
            question.id: page for page, plan in self._plans.items() for question in plan.questions
        }
        self._forget_what_applies()

    def _forget_what_applies(self) -> None:
        self._applies: dict[Question, bool] = {}
        self._visible: dict[Page, list[Question]] = {}
        self._pages: list[Page] | None = None  # the pages that apply, worked out once

    def _plan(self, page: Page) -> PagePlan:
        plan = self._plans.get(page)
        return plan if plan is not None else plan_of(page)

    @property
    def pages(self) -> list[Page]:
        """The pages that apply to this respondent, in order."""
        if self._pages is None:
            self._pages = [page for page in self.all_pages if self.page_applies(page)]
        return self._pages

    def stored(self, question: Question) -> Stored | None:
        answer: Stored | None = self.draft.answers.get(question.key)
        return answer

    def _holds(self, conditions: tuple[DisplayCondition, ...]) -> bool:
        for condition in conditions:
            source = condition.source_question
            chosen = (
                kind_of(source).selected_values(source, self.stored(source))
                if self.question_applies(source)
                else set()
            )
            if not condition.holds(chosen):
                return False
        return True

    def question_applies(self, question: Question) -> bool:
        known = self._applies.get(question)
        if known is None:
            # Conditions only ever read questions on earlier pages (the builder refuses
            # others), so this recursion ends.
            known = self._holds(self._conditions(question))
            self._applies[question] = known
        return known

    def visible_questions(self, page: Page) -> list[Question]:
        visible = self._visible.get(page)
        if visible is None:
            visible = [q for q in self._plan(page).questions if self.question_applies(q)]
            self._visible[page] = visible
        return list(visible)

    def page_applies(self, page: Page) -> bool:
        return bool(self.visible_questions(page))

    def _conditions(self, question: Question) -> tuple[DisplayCondition, ...]:
        page = self._page_of[question.id]
        conditions = self._plan(page).conditions.get(question)
        if conditions is None:  # the same question, loaded as another object
            conditions = conditions_of(page, question)
        return conditions

    def _could_apply(self, question: Question) -> bool:
        """Whether `question` applies, or could yet once the questions routing it are
        answered: a condition on an unanswered question that could itself be asked is open."""
        if self.question_applies(question):
            return True
        for condition in self._conditions(question):
            source = condition.source_question
            undecided = self.stored(source) is None and self._could_apply(source)
            if not undecided and not self._holds((condition,)):
                return False
        return True

    def routes_others(self, page: Page) -> bool:
        """Whether an answer on `page` decides whether later questions are asked."""
        on_page = {question.id for question in self._plan(page).questions}
        return any(
            condition.source_question.id in on_page
            for later in self.all_pages
            if later.position > page.position
            for conditions in self._plan(later).conditions.values()
            for condition in conditions
        )

    def most_pages(self) -> int:
        """How many pages there could be, given the answers so far: "Page 4 of up to 9"
        after a "No" that routes five pages out, not "of up to 14"."""
        return sum(
            1
            for page in self.all_pages
            if self.page_applies(page)
            or any(self._could_apply(question) for question in self._plan(page).questions)
        )

    def page(self, position: int) -> Page | None:
        return next((page for page in self.all_pages if page.position == position), None)

    def view(self, page: Page) -> PageView:
        pages = self.pages
        return PageView(
            page=page,
            questions=self.visible_questions(page),
            number=pages.index(page) + 1 if page in pages else 0,
            count=len(pages),
            most=self.most_pages(),
        )

    def next_page(self, page: Page) -> Page | None:
        """The next page that applies, or None when the next step is checking answers."""
        return next((p for p in self.pages if p.position > page.position), None)

    def previous_page(self, page: Page) -> Page | None:
        return next((p for p in reversed(self.pages) if p.position < page.position), None)

    def page_is_complete(self, page: Page) -> bool:
        answers = self.draft.answers
        plan = self._plan(page)
        return all(
            kind.is_valid_stored(question, answers.get(key))
            for question, key, kind in zip(plan.questions, plan.keys, plan.kinds, strict=True)
            if self.question_applies(question)
        )

    def first_incomplete_page(self) -> Page | None:
        return next((page for page in self.pages if not self.page_is_complete(page)), None)

    def answered(self) -> list[tuple[Question, QuestionKind, Stored | None]]:
        """Every question that applies and asks something, in order, with its kind and what
        the draft holds for it."""
        answers = self.draft.answers
        answered = []
        for page in self.pages:
            plan = self._plan(page)
            for question, key, kind in zip(plan.questions, plan.keys, plan.kinds, strict=True):
                if kind.asks and self.question_applies(question):
                    answered.append((question, kind, answers.get(key)))
        return answered

    def answered_questions(self) -> list[Question]:
        """Every question that applies and asks something, in order."""
        return [question for question, _, _ in self.answered()]

    def summary(self) -> list[tuple[Page, Question, list[str]]]:
        """Check answers: only what applies, each with its answer's lines."""
        return [
            (self._page_of[question.id], question, kind.display(question, stored))
            for question, kind, stored in self.answered()
        ]

    def answers_that_apply(self, answers: dict[str, Any]) -> dict[str, Any]:
        """Drop the answers of questions a changed answer has routed out."""
        self.draft.answers = answers
        self._forget_what_applies()
        keep = {question.key for question in self.answered_questions()}
        return {key: value for key, value in answers.items() if key in keep}

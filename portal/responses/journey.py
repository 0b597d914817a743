"""A respondent's way through a consultation: which pages and questions apply to them, given
the answers in their draft, and what they have answered."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from portal.consultations.models import Consultation, DisplayCondition, Page, Question
from portal.consultations.question_types import Stored, kind_of
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
    applies only when all its conditions hold on earlier answers that themselves apply.
    """

    def __init__(self, consultation: Consultation, draft: DraftT) -> None:
        self.consultation = consultation
        self.draft: DraftT = draft
        # Held here, not read through the consultation: saving a page commits, which expires
        # the consultation, and reading its pages again would reload every page, question and
        # option from the database instead of using the process's cached structure.
        self.all_pages: list[Page] = list(consultation.pages)
        self._applies: dict[int, bool] = {}
        self._pages: list[Page] | None = None  # the pages that apply, worked out once
        # Cached pages are detached, so a question's page is looked up here, not lazy-loaded.
        self._page_of = {q.id: page for page in self.all_pages for q in page.questions}

    @property
    def pages(self) -> list[Page]:
        """The pages that apply to this respondent, in order."""
        if self._pages is None:
            self._pages = [page for page in self.all_pages if self.page_applies(page)]
        return self._pages

    def stored(self, question: Question) -> Stored | None:
        answer: Stored | None = self.draft.answers.get(question.key)
        return answer

    def _holds(self, conditions: list[DisplayCondition]) -> bool:
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
        known = self._applies.get(question.id)
        if known is None:
            # Conditions only ever read questions on earlier pages (the builder refuses
            # others), so this recursion ends.
            page = self._page_of[question.id]
            known = self._holds(page.conditions) and self._holds(question.conditions)
            self._applies[question.id] = known
        return known

    def visible_questions(self, page: Page) -> list[Question]:
        return [question for question in page.questions if self.question_applies(question)]

    def page_applies(self, page: Page) -> bool:
        return bool(self.visible_questions(page))

    def page(self, position: int) -> Page | None:
        return next((page for page in self.all_pages if page.position == position), None)

    def view(self, page: Page) -> PageView:
        pages = self.pages
        return PageView(
            page=page,
            questions=self.visible_questions(page),
            number=pages.index(page) + 1 if page in pages else 0,
            count=len(pages),
        )

    def next_page(self, page: Page) -> Page | None:
        """The next page that applies, or None when the next step is checking answers."""
        return next((p for p in self.pages if p.position > page.position), None)

    def previous_page(self, page: Page) -> Page | None:
        return next((p for p in reversed(self.pages) if p.position < page.position), None)

    def page_is_complete(self, page: Page) -> bool:
        return all(
            kind_of(q).is_valid_stored(q, self.stored(q)) for q in self.visible_questions(page)
        )

    def first_incomplete_page(self) -> Page | None:
        return next((page for page in self.pages if not self.page_is_complete(page)), None)

    def answered_questions(self) -> list[Question]:
        """Every question that applies and asks something, in order."""
        return [
            question
            for page in self.pages
            for question in self.visible_questions(page)
            if kind_of(question).asks
        ]

    def summary(self) -> list[tuple[Page, Question, list[str]]]:
        """Check answers: only what applies, each with its answer's lines."""
        return [
            (
                self._page_of[question.id],
                question,
                kind_of(question).display(question, self.stored(question)),
            )
            for question in self.answered_questions()
        ]

    def answers_that_apply(self, answers: dict[str, Any]) -> dict[str, Any]:
        """Drop the answers of questions a changed answer has routed out."""
        self.draft.answers = answers
        self._applies.clear()
        self._pages = None
        keep = {question.key for question in self.answered_questions()}
        return {key: value for key, value in answers.items() if key in keep}

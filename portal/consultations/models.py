"""Consultations as data: a consultation has pages, a page has questions, a question has options.

A response never points at live wording. It points at a ConsultationSnapshot, a frozen copy of
the questions and options as the respondent saw them, so later edits cannot change what an
answer meant.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import db, enum_column
from portal.strategy.models import Indicator, KeyTask, Outcome


class ConsultationStatus(enum.StrEnum):
    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"


class QuestionType(enum.StrEnum):
    SINGLE_CHOICE = "single_choice"
    MULTIPLE_CHOICE = "multiple_choice"
    AGREEMENT_SCALE = "agreement_scale"
    RATING = "rating"  # 0 to 10, held as eleven options so results count like any choice
    NUMBER = "number"
    DATE = "date"
    SHORT_TEXT = "short_text"
    FREE_TEXT = "free_text"  # long text, with a character count
    RANKING = "ranking"
    MATRIX = "matrix"  # several statements (options of kind "statement") on one scale
    INFORMATION = "information"  # text for the respondent; asks nothing
    # A postcode, of which only the sector ("CV34 4") is kept: areas, not addresses.
    POSTCODE_SECTOR = "postcode_sector"


class PanelLink(enum.StrEnum):
    """What a panel member's response keeps of who they are."""

    CELLS = "cells"  # only their weighting cell (district and age band)
    MEMBER = "member"  # the link to their panel record


class OptionKind(enum.StrEnum):
    CHOICE = "choice"
    STATEMENT = "statement"  # a row of a matrix question
    # A choice no longer offered, kept because earlier respondents chose it: their answers
    # still count in the results, labelled as no longer offered, and nothing else changes.
    RETIRED = "retired"


class ConditionOperator(enum.StrEnum):
    """How a display condition reads an earlier answer."""

    EQUALS = "equals"  # the single answer chosen is this option
    INCLUDES = "includes"  # this option is among the answers chosen
    NOT = "not"  # this option was not chosen (including when the question was skipped)


question_outcome = sa.Table(
    "question_outcome",
    db.metadata,
    sa.Column("question_id", sa.ForeignKey("question.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("outcome_id", sa.ForeignKey("outcome.id", ondelete="CASCADE"), primary_key=True),
)

# The measured indicators a question informs (section 3.5's measures, for example), beside the
# outcomes it informs: the results page shows the answers next to the indicator's figures.
question_indicator = sa.Table(
    "question_indicator",
    db.metadata,
    sa.Column("question_id", sa.ForeignKey("question.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("indicator_id", sa.ForeignKey("indicator.id", ondelete="CASCADE"), primary_key=True),
)

consultation_key_task = sa.Table(
    "consultation_key_task",
    db.metadata,
    sa.Column(
        "consultation_id", sa.ForeignKey("consultation.id", ondelete="CASCADE"), primary_key=True
    ),
    sa.Column("key_task_id", sa.ForeignKey("key_task.id", ondelete="CASCADE"), primary_key=True),
)


class ConsultationSeries(db.Model):  # type: ignore[name-defined]
    """Waves of one survey run again over time (a baseline and its follow-ups): each wave is a
    consultation of its own, and a question is the same question in every wave that has its
    key, whatever its wording, so results can show what changed between waves."""

    __tablename__ = "consultation_series"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    created_at: Mapped[datetime] = mapped_column(server_default=sa.func.now())

    waves: Mapped[list[Consultation]] = relationship(
        back_populates="series", order_by="Consultation.wave_number"
    )


class Consultation(db.Model):  # type: ignore[name-defined]
    __table_args__ = (sa.UniqueConstraint("series_id", "wave_number", name="one_wave_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(100), unique=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    summary: Mapped[str] = mapped_column(sa.Text)
    audience: Mapped[str] = mapped_column(sa.String(300))
    # Plain-English start-page sections: who it is for, what happens to the answers.
    who_for: Mapped[str] = mapped_column(sa.Text, default="")
    what_happens: Mapped[str] = mapped_column(sa.Text, default="")
    privacy_notice: Mapped[str] = mapped_column(sa.Text)
    # Shown after sending under "If you need help now", for consultations on hard subjects.
    help_text: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    # Words and phrases, one per line, that flag a comment for an officer's safeguarding
    # attention (portal/safeguarding). Empty: nothing is flagged.
    safeguarding_terms: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    estimated_minutes: Mapped[int] = mapped_column(default=10)
    status: Mapped[ConsultationStatus] = mapped_column(
        enum_column(ConsultationStatus, 10), default=ConsultationStatus.DRAFT, index=True
    )
    opens_on: Mapped[date | None]
    closes_on: Mapped[date | None]
    # Why it runs when it does, for the start page ("during Anti-Bullying Week, 15 to 19
    # November 2027"); empty when the dates need no explaining.
    timing_note: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    panel_link: Mapped[PanelLink] = mapped_column(
        enum_column(PanelLink, 10), default=PanelLink.CELLS, server_default="cells"
    )
    # Personal details (links to panel members, answers to questions marked personal, unsent
    # drafts) are erased this many months after closing by `flask privacy retention`, which
    # records when it did so.
    retention_months: Mapped[int] = mapped_column(default=24, server_default="24")
    personal_data_erased_on: Mapped[date | None]
    # Bumped, in the same transaction, by every change to the pages, questions or options.
    # The respondent's journey caches the structure per process and trusts this number.
    structure_version: Mapped[int] = mapped_column(default=1, server_default="1")
    # The series this consultation is a wave of, and its number in it (1 for the baseline);
    # both None for a consultation run once.
    series_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("consultation_series.id"), index=True
    )
    wave_number: Mapped[int | None]
    # The languages an officer has marked checked ("pl", space-separated; "" for none), kept
    # with the row every respondent's page reads anyway, so a consultation in English only
    # asks nothing more (consultations/translations.py keeps it, in_language.py reads it).
    checked_languages: Mapped[str] = mapped_column(sa.String(100), default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(server_default=sa.func.now())
    updated_at: Mapped[datetime] = mapped_column(
        server_default=sa.func.now(), onupdate=sa.func.now()
    )

    series: Mapped[ConsultationSeries | None] = relationship(back_populates="waves")
    pages: Mapped[list[Page]] = relationship(
        back_populates="consultation", order_by="Page.position", cascade="all, delete-orphan"
    )
    key_tasks: Mapped[list[KeyTask]] = relationship(
        secondary=consultation_key_task, order_by=KeyTask.position
    )

    @property
    def questions(self) -> list[Question]:
        """Every question, in the order a respondent meets them."""
        return [question for page in self.pages for question in page.questions]

    def phase_on(self, day: date) -> str:
        """draft, scheduled (published, not yet open), open or closed, on this UK day."""
        if self.status == ConsultationStatus.DRAFT:
            return "draft"
        if self.status == ConsultationStatus.CLOSED:
            return "closed"
        if self.opens_on and day < self.opens_on:
            return "scheduled"
        if self.closes_on and day > self.closes_on:
            return "closed"
        return "open"

    def is_open_on(self, day: date) -> bool:
        """Open means published, and today falls between the opening and closing dates."""
        if self.status != ConsultationStatus.OPEN:
            return False
        if self.opens_on and day < self.opens_on:
            return False
        return not (self.closes_on and day > self.closes_on)

    def __repr__(self) -> str:
        return f"<Consultation {self.slug}>"


class Page(db.Model):  # type: ignore[name-defined]
    """A group of questions answered on one screen."""

    __table_args__ = (sa.UniqueConstraint("consultation_id", "position", name="page_position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(sa.ForeignKey("consultation.id"), index=True)
    position: Mapped[int]
    # A page holding several questions has a heading; a one-question page uses the question.
    title: Mapped[str | None] = mapped_column(sa.String(200))

    consultation: Mapped[Consultation] = relationship(back_populates="pages")
    questions: Mapped[list[Question]] = relationship(
        back_populates="page", order_by="Question.position", cascade="all, delete-orphan"
    )
    conditions: Mapped[list[DisplayCondition]] = relationship(
        back_populates="page", cascade="all, delete-orphan", order_by="DisplayCondition.id"
    )

    @property
    def question_is_heading(self) -> bool:
        """GOV.UK pattern: a page with one question and no title asks it as its heading."""
        return len(self.questions) == 1 and not self.title

    @property
    def heading(self) -> str:
        return self.questions[0].text if self.question_is_heading else (self.title or "")


class Question(db.Model):  # type: ignore[name-defined]
    __table_args__ = (
        sa.UniqueConstraint("consultation_id", "key", name="question_key"),
        sa.CheckConstraint("max_length IS NULL OR max_length > 0", name="max_length_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(sa.ForeignKey("consultation.id"), index=True)
    page_id: Mapped[int] = mapped_column(sa.ForeignKey("page.id"), index=True)
    position: Mapped[int]
    # Stable machine name, used as the form field name and in exports.
    key: Mapped[str] = mapped_column(sa.String(60))
    type: Mapped[QuestionType] = mapped_column(enum_column(QuestionType, 30))
    text: Mapped[str] = mapped_column(sa.String(500))
    hint: Mapped[str] = mapped_column(sa.Text, default="")
    required: Mapped[bool] = mapped_column(default=True)
    # Answers may hold personal details (a name, an email address to reply to): erased when
    # the consultation's retention period ends.
    personal: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    # The GOV.UK-style message shown when a required question is left unanswered.
    error_required: Mapped[str] = mapped_column(sa.String(300), default="")
    max_length: Mapped[int | None]
    # Single and multiple choice: an "Other, please specify" box.
    other_label: Mapped[str | None] = mapped_column(sa.String(200))
    # Multiple choice: at most this many choices; ranking: rank up to this many options.
    max_selections: Mapped[int | None]
    # Number questions: the accepted range, and 0 for whole numbers or the decimal places allowed.
    min_value: Mapped[Decimal | None] = mapped_column(sa.Numeric(18, 4))
    max_value: Mapped[Decimal | None] = mapped_column(sa.Numeric(18, 4))
    decimal_places: Mapped[int | None]

    consultation: Mapped[Consultation] = relationship()
    page: Mapped[Page] = relationship(back_populates="questions")
    options: Mapped[list[Option]] = relationship(
        back_populates="question", order_by="Option.position", cascade="all, delete-orphan"
    )
    outcomes: Mapped[list[Outcome]] = relationship(
        secondary=question_outcome, order_by=Outcome.position
    )
    indicators: Mapped[list[Indicator]] = relationship(
        secondary=question_indicator, order_by=Indicator.position
    )
    conditions: Mapped[list[DisplayCondition]] = relationship(
        foreign_keys="DisplayCondition.question_id",
        back_populates="question",
        cascade="all, delete-orphan",
        order_by="DisplayCondition.id",
    )

    @property
    def choices(self) -> list[Option]:
        """The options a respondent picks from (for a matrix, the scale's columns)."""
        return [option for option in self.options if option.kind == OptionKind.CHOICE]

    @property
    def statements(self) -> list[Option]:
        """A matrix question's rows."""
        return [option for option in self.options if option.kind == OptionKind.STATEMENT]

    @property
    def counted_choices(self) -> list[Option]:
        """The choices results and exports count: those offered, then any retired ones that
        earlier respondents chose."""
        return self.choices + [o for o in self.options if o.kind == OptionKind.RETIRED]

    @property
    def answers_in_form_order(self) -> list[Option | None]:
        """The counted choices in the order the form offers them, with None where the "Other"
        answer comes: the options, "Other", then any option chosen only on its own ("None of
        these", after the form's "or"), then retired options. Results and exports list
        answers in this order, as the respondent saw them."""
        offered = self.choices
        return [
            *(o for o in offered if not o.exclusive),
            *([None] if self.other_label else []),
            *(o for o in offered if o.exclusive),
            *(o for o in self.options if o.kind == OptionKind.RETIRED),
        ]

    def __repr__(self) -> str:
        return f"<Question {self.key}>"


class Option(db.Model):  # type: ignore[name-defined]
    __table_args__ = (sa.UniqueConstraint("question_id", "value", name="option_value"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(sa.ForeignKey("question.id"), index=True)
    position: Mapped[int]
    value: Mapped[str] = mapped_column(sa.String(60))
    label: Mapped[str] = mapped_column(sa.String(300))
    hint: Mapped[str] = mapped_column(sa.String(300), default="")
    # "None of these": cannot be combined with other choices of a multiple-choice question.
    exclusive: Mapped[bool] = mapped_column(default=False)
    # Agreement scales: +2 strongly agree ... -2 strongly disagree; None for "Don't know".
    # Ratings: the score, 0 to 10.
    scale_weight: Mapped[int | None]
    kind: Mapped[OptionKind] = mapped_column(
        enum_column(OptionKind, 10), default=OptionKind.CHOICE, server_default="choice"
    )

    question: Mapped[Question] = relationship(back_populates="options")

    @property
    def shown_label(self) -> str:
        """The label as results and exports show it: a retired option says so."""
        if self.kind == OptionKind.RETIRED:
            return _("%(option)s (no longer offered)", option=self.label)
        return self.label


class DisplayCondition(db.Model):  # type: ignore[name-defined]
    """Show a page or a question only when an earlier answer reads a certain way.

    All of a page's or question's conditions must hold. They are evaluated on the server for
    every request, so a hidden question is never required and its stale answer is dropped.
    """

    __table_args__ = (
        sa.CheckConstraint("(page_id IS NULL) <> (question_id IS NULL)", name="page_or_question"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("consultation.id", ondelete="CASCADE"), index=True
    )
    page_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("page.id", ondelete="CASCADE"), index=True
    )
    question_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("question.id", ondelete="CASCADE"), index=True
    )
    source_question_id: Mapped[int] = mapped_column(
        sa.ForeignKey("question.id", ondelete="CASCADE")
    )
    operator: Mapped[ConditionOperator] = mapped_column(enum_column(ConditionOperator, 10))
    option_id: Mapped[int] = mapped_column(sa.ForeignKey("option.id", ondelete="CASCADE"))

    consultation: Mapped[Consultation] = relationship()
    page: Mapped[Page | None] = relationship(back_populates="conditions")
    question: Mapped[Question | None] = relationship(
        foreign_keys=[question_id], back_populates="conditions"
    )
    source_question: Mapped[Question] = relationship(foreign_keys=[source_question_id])
    option: Mapped[Option] = relationship()

    def holds(self, selected: set[str]) -> bool:
        """Whether the condition holds, given the option values chosen for the source."""
        value = self.option.value
        if self.operator == ConditionOperator.EQUALS:
            return selected == {value}
        if self.operator == ConditionOperator.INCLUDES:
            return value in selected
        return value not in selected

    def describe(self) -> str:
        """The rule in words, for the builder and the preview: in the request's language, with
        the question and answer as the page shows them."""
        question, option = self.source_question.text, self.option.label
        if self.operator == ConditionOperator.EQUALS:
            return _(
                "the answer to “%(question)s” is “%(option)s”", question=question, option=option
            )
        if self.operator == ConditionOperator.INCLUDES:
            return _(
                "the answer to “%(question)s” includes “%(option)s”",
                question=question,
                option=option,
            )
        return _(
            "the answer to “%(question)s” is not “%(option)s”", question=question, option=option
        )


class ConsultationSnapshot(db.Model):  # type: ignore[name-defined]
    """The consultation's questions and options frozen as JSON, shared by identical versions."""

    __table_args__ = (
        sa.UniqueConstraint("consultation_id", "content_hash", name="snapshot_content"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(sa.ForeignKey("consultation.id"), index=True)
    content_hash: Mapped[str] = mapped_column(sa.String(64))
    content: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
    created_at: Mapped[datetime] = mapped_column(server_default=sa.func.now())

"""The crime and disorder reduction strategy: priorities, outcomes, key tasks and indicators.

Each item carries the section number of the committee report it comes from, so officers can go
from a figure on screen back to the paragraph that reported it.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import db


class OutcomeKeyTask(db.Model):  # type: ignore[name-defined]
    """A key task serving an outcome. The report lists outcomes (2.2, 3.3) and key tasks (2.3,
    3.4) apart and rarely says which task serves which: a link it does not state is the
    portal's reading and is marked `inferred`, so no page presents it as the report's."""

    __tablename__ = "outcome_key_task"

    outcome_id: Mapped[int] = mapped_column(
        sa.ForeignKey("outcome.id", ondelete="CASCADE"), primary_key=True
    )
    key_task_id: Mapped[int] = mapped_column(
        sa.ForeignKey("key_task.id", ondelete="CASCADE"), primary_key=True
    )
    inferred: Mapped[bool] = mapped_column(default=False, server_default=sa.false())

    outcome: Mapped[Outcome] = relationship(back_populates="key_task_links")
    key_task: Mapped[KeyTask] = relationship(back_populates="outcome_links")


class Priority(db.Model):  # type: ignore[name-defined]
    id: Mapped[int] = mapped_column(primary_key=True)
    position: Mapped[int] = mapped_column(unique=True)
    title: Mapped[str] = mapped_column(sa.String(200), unique=True)
    # The report names the seven priorities but does not number them; `position` is the
    # portal's numbering (the order of section 1.1 and of the report's sections).
    # None for the three priorities reported to an earlier committee and only named in this report.
    section: Mapped[str | None] = mapped_column(sa.String(20))
    objective: Mapped[str] = mapped_column(sa.Text, default="")
    reported_in: Mapped[str] = mapped_column(sa.String(300), default="")

    outcomes: Mapped[list[Outcome]] = relationship(
        back_populates="priority", order_by="Outcome.position", cascade="all, delete-orphan"
    )
    key_tasks: Mapped[list[KeyTask]] = relationship(
        back_populates="priority", order_by="KeyTask.position", cascade="all, delete-orphan"
    )
    indicators: Mapped[list[Indicator]] = relationship(
        back_populates="priority", order_by="Indicator.position", cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return f"<Priority {self.position} {self.title!r}>"


class Outcome(db.Model):  # type: ignore[name-defined]
    id: Mapped[int] = mapped_column(primary_key=True)
    priority_id: Mapped[int] = mapped_column(sa.ForeignKey("priority.id"), index=True)
    # Unique reference used by seed data and question links, e.g. "2.2.1" or "3.3b".
    code: Mapped[str] = mapped_column(sa.String(20), unique=True)
    # True where the report gives no number of its own (3.3 lists three aims as bullets): the
    # code is the portal's label, and pages say so.
    code_is_portal_label: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    section: Mapped[str] = mapped_column(sa.String(20))
    position: Mapped[int]
    title: Mapped[str] = mapped_column(sa.String(300))
    description: Mapped[str] = mapped_column(sa.Text, default="")

    priority: Mapped[Priority] = relationship(back_populates="outcomes")
    key_task_links: Mapped[list[OutcomeKeyTask]] = relationship(
        back_populates="outcome", cascade="all, delete-orphan"
    )
    key_tasks: Mapped[list[KeyTask]] = relationship(
        secondary="outcome_key_task", order_by="KeyTask.position", viewonly=True
    )
    indicators: Mapped[list[Indicator]] = relationship(
        back_populates="outcome", order_by="Indicator.position"
    )

    @property
    def task_links(self) -> list[OutcomeKeyTask]:
        """The key tasks serving this outcome, in the report's order, each with its basis."""
        return sorted(self.key_task_links, key=lambda link: link.key_task.position)

    def __repr__(self) -> str:
        return f"<Outcome {self.code}>"


class KeyTask(db.Model):  # type: ignore[name-defined]
    id: Mapped[int] = mapped_column(primary_key=True)
    priority_id: Mapped[int] = mapped_column(sa.ForeignKey("priority.id"), index=True)
    code: Mapped[str] = mapped_column(sa.String(20), unique=True)
    # As for outcomes: 3.4 lists its key tasks as bullets, so "3.4a" is the portal's label.
    code_is_portal_label: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    section: Mapped[str] = mapped_column(sa.String(20))
    position: Mapped[int]
    title: Mapped[str] = mapped_column(sa.String(300))
    # What the report says has been done; empty where it reports no progress.
    progress: Mapped[str] = mapped_column(sa.Text, default="")
    lead_responsibility: Mapped[str | None] = mapped_column(sa.String(200))

    priority: Mapped[Priority] = relationship(back_populates="key_tasks")
    outcome_links: Mapped[list[OutcomeKeyTask]] = relationship(
        back_populates="key_task", cascade="all, delete-orphan"
    )
    outcomes: Mapped[list[Outcome]] = relationship(
        secondary="outcome_key_task", order_by="Outcome.position", viewonly=True
    )

    def __repr__(self) -> str:
        return f"<KeyTask {self.code}>"


class Indicator(db.Model):  # type: ignore[name-defined]
    """A measured quantity the report tracks; its figures over time are IndicatorValues."""

    id: Mapped[int] = mapped_column(primary_key=True)
    priority_id: Mapped[int] = mapped_column(sa.ForeignKey("priority.id"), index=True)
    outcome_id: Mapped[int | None] = mapped_column(sa.ForeignKey("outcome.id"), index=True)
    code: Mapped[str] = mapped_column(sa.String(60), unique=True)
    section: Mapped[str] = mapped_column(sa.String(20))
    position: Mapped[int]
    name: Mapped[str] = mapped_column(sa.String(300))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    # "higher" or "lower" is better; None where the report sets no direction.
    better_when: Mapped[str | None] = mapped_column(sa.String(10))
    # True where the report does not itself tie this figure to the outcome (see OutcomeKeyTask).
    outcome_inferred: Mapped[bool] = mapped_column(default=False, server_default=sa.false())

    priority: Mapped[Priority] = relationship(back_populates="indicators")
    outcome: Mapped[Outcome | None] = relationship(back_populates="indicators")
    measures: Mapped[list[IndicatorMeasure]] = relationship(
        back_populates="indicator",
        order_by="IndicatorMeasure.position",
        cascade="all, delete-orphan",
    )

    def __repr__(self) -> str:
        return f"<Indicator {self.code}>"


class IndicatorMeasure(db.Model):  # type: ignore[name-defined]
    """One series of an indicator's figures, whose values can be compared with each other.

    The report often gives unlike figures for one indicator: the longest and the average wait
    (5.6.4), a whole year beside a year to date (5.6.2), a month beside the year's monthly
    average (5.6.5). Each is a measure of its own, so a direction of change is only ever worked
    out between two figures of the same measure. Most indicators have one measure, named "".
    """

    __table_args__ = (sa.UniqueConstraint("indicator_id", "name", name="indicator_measure_name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    indicator_id: Mapped[int] = mapped_column(
        sa.ForeignKey("indicator.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int]
    name: Mapped[str] = mapped_column(sa.String(120), default="")
    note: Mapped[str] = mapped_column(sa.Text, default="")
    # A running total for the year (people in treatment so far): it rises whatever happens,
    # so no direction of change is claimed from it.
    cumulative: Mapped[bool] = mapped_column(default=False, server_default=sa.false())

    indicator: Mapped[Indicator] = relationship(back_populates="measures")
    values: Mapped[list[IndicatorValue]] = relationship(
        back_populates="measure", order_by="IndicatorValue.position", cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return f"<IndicatorMeasure {self.name or '(only)'}>"


class IndicatorValue(db.Model):  # type: ignore[name-defined]
    """One reported figure: a value for a period, with the target where the report gives one."""

    __table_args__ = (sa.UniqueConstraint("measure_id", "period", name="measure_period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    measure_id: Mapped[int] = mapped_column(
        sa.ForeignKey("indicator_measure.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int]
    # In the report's own words where it gives one ("During the past year").
    period: Mapped[str] = mapped_column(sa.String(60))
    # None where the report says "not known" or "to be confirmed" (the note says which).
    value: Mapped[Decimal | None] = mapped_column(sa.Numeric(14, 2))
    target: Mapped[Decimal | None] = mapped_column(sa.Numeric(14, 2))
    unit: Mapped[str] = mapped_column(sa.String(30))
    # True where the report does not print the value itself and it is the portal's reading of
    # its words (the note says how it was read: 130 - 40 for September's incidents).
    inferred: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    source: Mapped[str] = mapped_column(sa.String(300))
    note: Mapped[str] = mapped_column(sa.Text, default="")
    recorded_at: Mapped[datetime] = mapped_column(server_default=sa.func.now())
    recorded_by: Mapped[str] = mapped_column(sa.String(200), default="seed data")

    measure: Mapped[IndicatorMeasure] = relationship(back_populates="values")

    def __repr__(self) -> str:
        return f"<IndicatorValue {self.period} {self.value}>"
